using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using FunctionalNets.Randomness;
using FunctionalNets.Tensors;
using LanguageExt;

namespace FunctionalNets.Text;

/// <summary>
/// One problem of the addition task: <c>a + b</c> for operands of <see cref="Digits"/> digits, written
/// <see cref="Prompt"/> <c>"012+345="</c> then <see cref="Answer"/> <c>"7530"</c>, the n + 1 digits of the sum least
/// significant first.
/// </summary>
public sealed record AdditionProblem
{
    /// <summary>The problem <paramref name="a"/> + <paramref name="b"/>; both must lie in <c>[0, 10^digits)</c>.</summary>
    public AdditionProblem(int a, int b, int digits)
    {
        if (digits is < 1 or > AdditionTask.MaxDigits)
            throw new ArgumentOutOfRangeException(nameof(digits), $"addition problem: digits must be in [1, {AdditionTask.MaxDigits}], got {digits}");
        var limit = AdditionTask.Power10(digits);
        if ((uint)a >= limit || (uint)b >= limit)
            throw new ArgumentOutOfRangeException(nameof(a), $"addition problem: operands must be in [0, {limit}) for {digits} digits, got {a} and {b}");
        (A, B, Digits) = (a, b, digits);
    }

    /// <summary>The first operand.</summary>
    public int A { get; }

    /// <summary>The second operand.</summary>
    public int B { get; }

    /// <summary>n, the operands' width (zero-padded).</summary>
    public int Digits { get; }

    /// <summary><c>a + b</c>.</summary>
    public long Sum => (long)A + B;

    /// <summary>The operands zero-padded to n digits: <c>"012+345="</c>.</summary>
    public string Prompt => $"{Padded(A, Digits)}+{Padded(B, Digits)}=";

    /// <summary>The sum zero-padded to n + 1 digits and reversed (least significant first): 357 → <c>"7530"</c>.</summary>
    public string Answer => new([.. Padded(Sum, Digits + 1).Reverse()]);

    /// <summary>The whole sequence, <see cref="Prompt"/> then <see cref="Answer"/>: 3n + 3 characters.</summary>
    public string Text => Prompt + Answer;

    /// <summary>The ids of <see cref="Prompt"/> under <see cref="AdditionTask.Tokenizer"/>: what a model is given.</summary>
    public int[] PromptIds => AdditionTask.Tokenizer.Encode(Prompt);

    /// <summary>The ids of <see cref="Answer"/>: what a model should produce after the prompt.</summary>
    public int[] AnswerIds => AdditionTask.Tokenizer.Encode(Answer);

    /// <summary>Prints <see cref="Text"/>.</summary>
    public override string ToString() => Text;

    private static string Padded(long value, int width) => value.ToString("D" + width, CultureInfo.InvariantCulture);
}

/// <summary>
/// The built-in task of <c>fnets train</c>: learn n-digit addition from sequences <c>"012+345=7530"</c>, with a
/// held-out set of problems that never appears in training and a loss on the answer digits only.
/// </summary>
/// <remarks>
/// <para>The format is chosen so that a small GPT learns it fast. Operands are zero-padded to n digits, so digit i
/// of both operands always sits at the same positions, and every sequence has the same length 3n + 3 (no end
/// token: a decoder reads exactly n + 1 answer digits). The sum is written least significant digit first: when
/// the model writes sum digit i it has already written digits 0…i−1, from which (with the operand digits) the
/// carry into digit i follows, so each answer digit is a local function of what it can see. Written the usual
/// way, the first digit it must emit depends on the whole carry chain.</para>
/// <para>Held-out problems are drawn from a split key as unordered pairs: neither <c>a+b</c> nor <c>b+a</c> of a
/// held-out pair is ever a training problem. Training problems are uniform over the rest (drawn, and redrawn
/// when held out). In a training batch the targets are −1 (<see cref="TokenBatch.Ignore"/>) everywhere except the
/// n + 1 positions that predict answer digits, so the loss measures only the answers.</para>
/// </remarks>
public sealed class AdditionTask : ITokenBatches
{
    /// <summary>The widest operands: below 10⁹ they fit an <see cref="int"/>.</summary>
    public const int MaxDigits = 9;

    /// <summary>The most held-out problems a task draws unless told otherwise.</summary>
    public const int DefaultHeldOutCap = 1000;

    private readonly FrozenSet<long> heldOutPairs;
    private readonly int limit; // 10^Digits

    private AdditionTask(int digits, int batchSize, ImmutableArray<AdditionProblem> heldOut)
    {
        (Digits, BatchSize, HeldOut, limit) = (digits, batchSize, heldOut, Power10(digits));
        heldOutPairs = heldOut.Select(p => Unordered(p.A, p.B)).ToFrozenSet();
    }

    /// <summary>The task's fixed vocabulary, as a character tokenizer: <c>+</c> 0, digits <c>0</c>…<c>9</c> 1…10, <c>=</c> 11.</summary>
    /// <remarks>A <c>char</c> tokenizer, so a checkpoint saves and restores it like any other (state <c>"+0123456789="</c>).</remarks>
    public static CharTokenizer Tokenizer { get; } = CharTokenizer.FromState("+0123456789=");

    /// <summary>The split key every run uses unless told otherwise, so runs are scored on the same held-out problems.</summary>
    public static Key DefaultSplitKey { get; } = Key.FromSeed(0).FoldIn("addition/held-out");

    /// <summary>
    /// The task for <paramref name="digits"/>-digit operands with batches of <paramref name="batchSize"/>, holding out
    /// <paramref name="heldOutCount"/> problems drawn from <paramref name="splitKey"/>.
    /// </summary>
    /// <remarks>
    /// By default <c>min(1000, ⌈N/50⌉)</c> of the N = 10²ⁿ problems are held out (2 % up to the cap: 200 for two
    /// digits, 1000 from three), from <see cref="DefaultSplitKey"/>. Fails with a <see cref="TextDataException"/>
    /// when digits are outside [1, 9], the batch size is not positive, or the held-out count is below 1 or above a
    /// tenth of the unordered pairs.
    /// </remarks>
    public static Fin<AdditionTask> Create(int digits, int batchSize, int? heldOutCount = null, Key? splitKey = null) =>
        TextFin.Catch(() =>
        {
            if (digits is < 1 or > MaxDigits)
                throw new TextDataException($"addition task: digits must be in [1, {MaxDigits}], got {digits}");
            if (batchSize <= 0)
                throw new TextDataException($"addition task: batch size must be positive, got {batchSize}");
            long limit = Power10(digits);
            var maxCount = limit * (limit + 1) / 2 / 10; // a tenth of the unordered pairs {a, b}
            var count = heldOutCount ?? (int)Math.Min(DefaultHeldOutCap, (limit * limit + 49) / 50);
            if (count < 1 || count > maxCount)
                throw new TextDataException($"addition task: held-out count must be in [1, {maxCount}] for {digits} digits, got {count}");
            return new AdditionTask(digits, batchSize, DrawHeldOut(digits, count, splitKey ?? DefaultSplitKey));
        });

    /// <summary>n, the operands' width.</summary>
    public int Digits { get; }

    /// <inheritdoc/>
    public int BatchSize { get; }

    /// <summary>The length of a problem's sequence: 3n + 3 (n + 1 + n + 1 + n + 1).</summary>
    public int SequenceLength => 3 * Digits + 3;

    /// <summary>T = 3n + 2: a model reads every token but the last.</summary>
    public int ContextLength => SequenceLength - 1;

    /// <summary>The index in the sequence of the first answer digit, 2n + 2 (the prompt's length).</summary>
    public int AnswerStart => 2 * Digits + 2;

    /// <summary>The problems kept out of training, in the order drawn, for exact-match evaluation.</summary>
    public ImmutableArray<AdditionProblem> HeldOut { get; }

    ITextTokenizer ITokenBatches.Tokenizer => Tokenizer;

    /// <summary>Whether <paramref name="problem"/> (or its mirror <c>b+a</c>) is held out.</summary>
    public bool IsHeldOut(AdditionProblem problem) => heldOutPairs.Contains(Unordered(problem.A, problem.B));

    /// <summary>
    /// The problems of training batch <paramref name="step"/>: round r draws B pairs of operands from
    /// <c>key.FoldIn(step).FoldIn(r)</c> (<c>Sample.Integers</c> on [0, 10ⁿ)) and keeps those not held out, in order,
    /// until B are kept.
    /// </summary>
    public IReadOnlyList<AdditionProblem> TrainProblems(Key key, long step)
    {
        var stepKey = key.FoldIn(step);
        var problems = new List<AdditionProblem>(BatchSize);
        for (var round = 0; problems.Count < BatchSize; round++)
        {
            var operands = Sample.Integers(stepKey.FoldIn(round), [BatchSize, 2], limit).Span;
            for (var i = 0; i < BatchSize && problems.Count < BatchSize; i++)
                if (!heldOutPairs.Contains(Unordered(operands[2 * i], operands[2 * i + 1])))
                    problems.Add(new AdditionProblem(operands[2 * i], operands[2 * i + 1], Digits));
        }
        return problems;
    }

    /// <summary>Training batch <paramref name="step"/>: the <see cref="Batch"/> of <see cref="TrainProblems"/>.</summary>
    public TokenBatch TrainBatch(Key key, long step) => Batch(TrainProblems(key, step));

    /// <summary>
    /// The batch of <paramref name="problems"/>: inputs [P, T] are each sequence's first T = 3n + 2 ids; targets [P, T]
    /// hold the next id at the n + 1 positions t ≥ 2n + 1 that predict an answer digit and −1 everywhere else.
    /// </summary>
    /// <remarks>Useful as is for the held-out loss (<c>Batch(HeldOut)</c>). A problem of another width is an <see cref="ArgumentException"/>.</remarks>
    public TokenBatch Batch(IReadOnlyList<AdditionProblem> problems)
    {
        if (problems.FirstOrDefault(p => p.Digits != Digits) is { } other)
            throw new ArgumentException($"addition task: problem {other} has {other.Digits} digits, the task {Digits}", nameof(problems));
        var sequences = problems.Select(p => Tokenizer.Encode(p.Text)).ToArray();
        var (P, T) = (sequences.Length, ContextLength);
        var inputs = Tensor.Build<int>([P, T], y =>
        {
            for (var p = 0; p < P; p++) sequences[p].AsSpan(0, T).CopyTo(y.Slice(p * T, T));
        });
        var targets = Tensor.Build<int>([P, T], y =>
        {
            for (var p = 0; p < P; p++)
                for (var t = 0; t < T; t++)
                    y[p * T + t] = t + 1 >= AnswerStart ? sequences[p][t + 1] : TokenBatch.Ignore; // position t predicts token t + 1
        });
        return new TokenBatch(inputs, targets);
    }

    /// <summary>
    /// The number written by answer ids, least significant digit first (<c>"7530"</c> → 357); none when an id is not
    /// a digit or there are no ids or more than 18.
    /// </summary>
    public static Option<long> ReadAnswer(ReadOnlySpan<int> answerIds)
    {
        var text = Tokenizer.Decode(answerIds);
        if (text.Length is 0 or > 18 || !text.All(char.IsAsciiDigit)) return Option<long>.None;
        return text.Reverse().Aggregate(0L, (value, digit) => 10 * value + (digit - '0'));
    }

    /// <summary>10^<paramref name="digits"/> for digits in [0, 9].</summary>
    internal static int Power10(int digits)
    {
        var power = 1;
        for (var i = 0; i < digits; i++) power *= 10;
        return power;
    }

    // Round r draws `count` pairs from key.FoldIn(r); the first `count` distinct unordered pairs are held out.
    private static ImmutableArray<AdditionProblem> DrawHeldOut(int digits, int count, Key key)
    {
        var limit = Power10(digits);
        var seen = new System.Collections.Generic.HashSet<long>();
        var drawn = ImmutableArray.CreateBuilder<AdditionProblem>(count);
        for (var round = 0; drawn.Count < count; round++)
        {
            var operands = Sample.Integers(key.FoldIn(round), [count, 2], limit).Span;
            for (var i = 0; i < count && drawn.Count < count; i++)
                if (seen.Add(Unordered(operands[2 * i], operands[2 * i + 1], limit)))
                    drawn.Add(new AdditionProblem(operands[2 * i], operands[2 * i + 1], digits));
        }
        return drawn.MoveToImmutable();
    }

    private long Unordered(int a, int b) => Unordered(a, b, limit);

    // One number per unordered pair {a, b}: min·10ⁿ + max.
    private static long Unordered(int a, int b, int limit) => (long)Math.Min(a, b) * limit + Math.Max(a, b);
}
