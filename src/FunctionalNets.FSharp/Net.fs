/// F# face of FunctionalNets: a net { } computation expression and pipeline-ready functions.
module FunctionalNets.FSharp.Nets

open System
open System.Numerics
open FunctionalNets.Autodiff
open FunctionalNets.Layers
open FunctionalNets.Tensors

/// Builds Net computations with let! for each box of a model diagram.
type NetBuilder() =
    member _.Bind(m: Net<'T, 'A>, f: 'A -> Net<'T, 'B>) : Net<'T, 'B> = m.Bind(Func<'A, Net<'T, 'B>>(f))
    member _.Return(x: 'A) : Net<'T, 'A> = Net.Pure<'T, 'A>(x)
    member _.ReturnFrom(m: Net<'T, 'A>) : Net<'T, 'A> = m

/// The net { } computation expression.
let net = NetBuilder()

/// Layer composition: f >=> g runs f then g.
let (>=>) (f: Layer<'T>) (g: Layer<'T>) : Layer<'T> = f.Then(g)

/// A layer from an F# function.
let layer (f: Var<'T> -> Net<'T, Var<'T>>) : Layer<'T> = Layer<'T>(f)

/// A shape from a list of dimensions: shape [2; 3].
let shape (dims: int list) : Shape = Shape.Of(ReadOnlySpan(List.toArray dims))

/// A vector tensor from an array.
let vector (values: 'T[]) : Tensor<'T> = Tensor.Vector<'T>(ReadOnlySpan values)

/// A tensor of the given dimensions from row-major values.
let tensor (dims: int list) (values: 'T[]) : Tensor<'T> = Tensor.From<'T>(shape dims, ReadOnlySpan values)
