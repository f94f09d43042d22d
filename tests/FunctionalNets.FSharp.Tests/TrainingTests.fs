module FunctionalNets.FSharp.Tests.TrainingTests

open Xunit
open FunctionalNets.Autodiff
open FunctionalNets.Layers
open FunctionalNets.Models
open FunctionalNets.Ops
open FunctionalNets.Optim
open FunctionalNets.Parameters
open FunctionalNets.Randomness
open FunctionalNets.Tensors
open FunctionalNets.Training
open FunctionalNets.FSharp.Nets

/// XOR-like data: four 2-d points and their classes.
let xs = Tensor.Matrix<float>([| [| 0.0; 0.0 |]; [| 0.0; 1.0 |]; [| 1.0; 0.0 |]; [| 1.0; 1.0 |] |])
let ys = vector [| 0; 1; 1; 0 |]

let mlp : Layer<float> =
    Dense.Of<float>("fc1", 8) >=> layer Tanh.Apply >=> Dense.Of<float>("fc2", 2)

let mlpLoss () =
    net {
        let! x = Net.Const xs
        let! logits = mlp.Invoke x
        return! CrossEntropy.Apply(logits, ys)
    }

let train (loss: unit -> Net<'T, Var<'T>>) (p0: Params<'T>) steps lr =
    let trainer = Trainer<'T, int>((fun _ -> loss ()), Optimizer.Adam<'T>(Schedules.Constant lr))
    let s0 = TrainState<'T>.Start(p0, trainer.Optimizer, Key.FromSeed 1UL)
    trainer.Scan(s0, seq { 1..steps }) |> Seq.map (fun struct (_, r) -> r.Loss) |> Seq.toList

[<Fact>]
let ``An MLP built with pipelines learns XOR`` () =
    let p0 = Net.Init(mlpLoss (), Key.FromSeed 42UL)
    let losses = train mlpLoss p0 300 0.05
    Assert.True(List.last losses < 0.1 * List.head losses, sprintf "loss %f -> %f" (List.head losses) (List.last losses))

[<Fact>]
let ``A GPT learns a repeating sequence`` () =
    let cfg = GptConfig(Vocab = 5, Context = 8, Channels = 16, Layers = 2, Heads = 2)
    let ids = tensor [ 2; 8 ] [| 0; 1; 2; 3; 4; 0; 1; 2;  3; 4; 0; 1; 2; 3; 4; 0 |]
    let targets = tensor [ 2; 8 ] [| 1; 2; 3; 4; 0; 1; 2; 3;  4; 0; 1; 2; 3; 4; 0; 1 |]
    let loss () = Gpt.Loss<float>(cfg, ids, targets)
    let p0 = Net.Init(loss (), Key.FromSeed 3UL)
    let losses = train loss p0 60 0.01
    Assert.True(List.last losses < 0.5 * List.head losses, sprintf "loss %f -> %f" (List.head losses) (List.last losses))
