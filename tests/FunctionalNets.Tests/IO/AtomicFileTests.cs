using FunctionalNets.IO;

namespace FunctionalNets.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void A_write_that_fails_midway_leaves_the_old_file_and_no_temporary()
    {
        using var dir = IoFixtures.Scratch();
        var path = dir.File("step-0000001.safetensors");
        Checkpoint.Write(path, IoFixtures.Small);
        var before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Equal(7, Checkpoint.Read<double>(path).State.Step);
    }

    [Fact]
    public void A_rename_that_fails_removes_the_temporary()
    {
        using var dir = IoFixtures.Scratch();
        var target = dir.File("taken");
        Directory.CreateDirectory(target); // a directory where the file should go: the rename fails
        Assert.ThrowsAny<IOException>(() => Checkpoint.Write(target, IoFixtures.Small));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_write_replaces_the_old_file_whole()
    {
        using var dir = IoFixtures.Scratch();
        var path = dir.File("c.safetensors");
        Checkpoint.Write(path, IoFixtures.Small);
        Checkpoint.Write(path, IoFixtures.Small with { Step = 8 });
        Assert.Equal(8, Checkpoint.Read<double>(path).State.Step);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Temporary_names_are_hidden_beside_the_target_distinct_and_never_checkpoint_names()
    {
        var path = Path.Combine("run", "checkpoints", "step-0000100.safetensors");
        var (a, b) = (AtomicFile.TemporaryName(path), AtomicFile.TemporaryName(path));
        Assert.NotEqual(a, b);
        Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(a));
        Assert.StartsWith(".step-0000100.safetensors.tmp-", Path.GetFileName(a));
        Assert.False(CheckpointDirectory.TryParseStep(Path.GetFileName(a), out _));
    }
}
