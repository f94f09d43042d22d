using System.Runtime.InteropServices;

namespace FunctionalNets.IO;

/// <summary>
/// Replaces a file all at once: the bytes go to a hidden temporary file in the same directory, reach the disk
/// (fsync), and only then is the temporary renamed over the target and the directory synced.
/// </summary>
/// <remarks>
/// A rename within one directory is atomic on POSIX file systems and NTFS, so a crash at any instant leaves either
/// the old file or the complete new one under the target name, never a mix. Syncing the file before the rename
/// keeps a crash from publishing a name whose data never reached the disk; syncing the directory afterwards makes
/// the rename itself durable. The temporary name starts with a dot and ends in <c>.tmp-…</c>, so nothing that looks
/// for <c>step-NNNNNNN.safetensors</c> can mistake it for a checkpoint.
/// </remarks>
internal static partial class AtomicFile
{
    private static long writes;

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>; if anything throws, the old file is untouched and the temporary is removed.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"AtomicFile: '{path}' has no directory");
        var temporary = TemporaryName(full);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        SyncDirectory(directory);
    }

    /// <summary>The temporary name for <paramref name="path"/>: <c>.{name}.tmp-{process id}-{write number}</c> beside it.</summary>
    /// <remarks>The process id and a per-process counter keep concurrent writers of the same target apart.</remarks>
    internal static string TemporaryName(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}-{Interlocked.Increment(ref writes)}");

    // Makes a rename in the directory durable. POSIX needs an fsync of the directory itself; Windows has no such
    // call for directories (NTFS journals the rename), so there it is a no-op.
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0); // O_RDONLY
        if (fd < 0)
            throw new IOException($"AtomicFile: cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"AtomicFile: fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
