using FunctionalNets.IO;
using FunctionalNets.Training;

namespace FunctionalNets.Tests.IO;

public class CheckpointDirectoryTests
{
    private static TrainState<double> AtStep(long step) => IoFixtures.Small with { Step = step };

    [Theory]
    [InlineData(0, "step-0000000.safetensors")]
    [InlineData(100, "step-0000100.safetensors")]
    [InlineData(9_999_999, "step-9999999.safetensors")]
    [InlineData(12_345_678, "step-12345678.safetensors")]
    public void File_names_pad_the_step_to_seven_digits_and_parse_back(long step, string name)
    {
        Assert.Equal(name, CheckpointDirectory.FileName(step));
        Assert.True(CheckpointDirectory.TryParseStep(name, out var parsed));
        Assert.Equal(step, parsed);
    }

    [Theory]
    [InlineData("step-100.safetensors")]
    [InlineData("step-00001000.safetensors")]
    [InlineData("step-+000100.safetensors")]
    [InlineData("step-.safetensors")]
    [InlineData("step-0000100.safetensors.bak")]
    [InlineData(".step-0000100.safetensors.tmp-12-1")]
    [InlineData("Step-0000100.safetensors")]
    public void Only_canonical_names_are_checkpoints(string name) => Assert.False(CheckpointDirectory.TryParseStep(name, out _));

    [Fact]
    public void List_orders_by_step_and_ignores_other_files()
    {
        using var dir = IoFixtures.Scratch();
        foreach (var name in new[] { "step-0000020.safetensors", "step-0000003.safetensors", "step-10000000.safetensors",
                     ".step-0000030.safetensors.tmp-1-1", "notes.txt" })
            File.WriteAllText(dir.File(name), "");
        var listed = new CheckpointDirectory(dir.Path).List();
        Assert.Equal([3L, 20L, 10_000_000L], listed.Select(f => f.Step));
        Assert.Equal(dir.File("step-0000020.safetensors"), listed[1].Path);
        Assert.Empty(CheckpointDirectory.OfRun(dir.Path).List());
    }

    [Fact]
    public void Newest_skips_a_damaged_newest_file_and_says_why()
    {
        using var dir = IoFixtures.Scratch();
        var checkpoints = new CheckpointDirectory(dir.Path);
        checkpoints.Save(AtStep(10));
        checkpoints.Save(AtStep(20));
        var bytes = File.ReadAllBytes(checkpoints.PathOf(20));
        File.WriteAllBytes(checkpoints.PathOf(20), bytes[..(bytes.Length / 2)]); // a torn write
        File.Copy(checkpoints.PathOf(10), checkpoints.PathOf(30));                // holds step 10, named 30

        var search = checkpoints.Newest<double>(IoFixtures.Small);
        Assert.Equal(10, search.Newest.Match(found => found.File.Step, () => -1));
        Assert.Equal([30L, 20L], search.Skipped.Select(s => s.File.Step));
        Assert.Contains("holds step 10, but its name says step 30", search.Skipped[0].Reason);
        Assert.Contains(checkpoints.PathOf(20), search.Skipped[1].Reason);
        Assert.Contains("runs past the end", search.Skipped[1].Reason);
    }

    [Fact]
    public void Newest_of_an_empty_or_missing_folder_is_none()
    {
        using var dir = IoFixtures.Scratch();
        var search = CheckpointDirectory.OfRun(dir.Path).Newest<double>();
        Assert.True(search.Newest.IsNone);
        Assert.Empty(search.Skipped);
    }

    [Fact]
    public void Save_keeps_the_newest_k_including_the_file_just_written()
    {
        using var dir = IoFixtures.Scratch();
        var checkpoints = CheckpointDirectory.OfRun(dir.Path);
        foreach (var step in new long[] { 1, 2, 3, 4 }) checkpoints.Save(AtStep(step), keep: 2);
        Assert.Equal([3L, 4L], checkpoints.List().Select(f => f.Step));
        // A run restarted from an earlier step: its new file survives even though newer ones exist.
        var written = checkpoints.Save(AtStep(2), keep: 2);
        Assert.Equal([2L, 4L], checkpoints.List().Select(f => f.Step));
        Assert.Equal(2, Checkpoint.Read<double>(written.Path).State.Step);
    }

    [Fact]
    public void Prune_deletes_all_but_the_highest_steps_and_returns_them()
    {
        using var dir = IoFixtures.Scratch();
        var checkpoints = new CheckpointDirectory(dir.Path);
        foreach (var step in new long[] { 5, 1, 9 }) checkpoints.Save(AtStep(step));
        Assert.Equal([1L, 5L], checkpoints.Prune(1).Select(f => f.Step));
        Assert.Equal([9L], checkpoints.List().Select(f => f.Step));
    }
}
