namespace FunctionalNets.Tests.Cli;

public sealed class BadInputTests : IDisposable
{
    private readonly Fnets fnets = new();

    public void Dispose() => fnets.Dispose();

    // Runs train on a file with the given bytes; the run directory must not appear.
    private FnetsResult TrainOn(byte[] bytes, params string[] extra)
    {
        var path = fnets.PathOf("input.txt");
        File.WriteAllBytes(path, bytes);
        return Fnets.Run(["train", "--text", path, "--preset", "tiny", "--out", fnets.PathOf("run"), .. extra]);
    }

    private void AssertOneLineFailure(FnetsResult r, int code, string fragment)
    {
        Assert.Equal(code, r.Code);
        Assert.Contains(fragment, r.Error);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(fnets.PathOf("run")), "nothing may be written on bad input");
    }

    [Fact]
    public void A_missing_file_is_one_line_and_exit_1()
    {
        var r = Fnets.Run("train", "--text", fnets.PathOf("absent.txt"), "--out", fnets.PathOf("run"));
        AssertOneLineFailure(r, 1, "absent.txt");
    }

    [Fact]
    public void An_empty_file_is_one_line_and_exit_1() => AssertOneLineFailure(TrainOn([]), 1, "empty");

    [Fact]
    public void Invalid_utf8_names_the_byte_offset() => AssertOneLineFailure(TrainOn([.. "abc"u8, 0xC3, 0x28, .. "def"u8]), 1, "offset 3");

    [Fact]
    public void Too_few_tokens_for_one_window_is_one_line_and_exit_1() => AssertOneLineFailure(TrainOn([.. "abcdef"u8]), 1, "fewer than one window");

    [Fact]
    public void An_unknown_tokenizer_lists_the_valid_names() =>
        AssertOneLineFailure(TrainOn([.. "abcdef"u8], "--tokenizer", "bytes"), 1, "char");

    [Theory]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "x")]
    [InlineData("--preset", "huge")]
    [InlineData("--heads", "3")]
    [InlineData("--lr", "-1")]
    public void Bad_arguments_exit_2_with_one_line(string option, string value)
    {
        var r = Fnets.Run("train", "--preset", "tiny", "--out", fnets.PathOf("run"), option, value);
        AssertOneLineFailure(r, 2, option.TrimStart('-') is "threads" && value == "x" ? "x" : option.TrimStart('-'));
    }

    [Fact]
    public void Every_invalid_model_field_is_reported_at_once()
    {
        var r = Fnets.Run("train", "--preset", "tiny", "--out", fnets.PathOf("run"), "--heads", "3", "--layers", "0", "--lr", "-1");
        Assert.Equal(2, r.Code);
        Assert.Contains("heads", r.Error);
        Assert.Contains("layers", r.Error);
        Assert.Contains("lr", r.Error);
    }

    [Fact]
    public void An_unknown_verb_or_option_exits_2()
    {
        Assert.Equal(2, Fnets.Run("fly").Code);
        Assert.Equal(2, Fnets.Run("train", "--wings", "2").Code);
    }
}
