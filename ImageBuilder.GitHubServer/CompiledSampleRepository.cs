using System.Runtime.CompilerServices;

namespace ImageBuilder.GitHubServer;

/// <summary>
/// The second demo repository, <c>demo/compiled</c>: a C program built on Debian's gcc-12
/// (<c>127.0.0.1:5000/base/gcc:12</c>, made by scripts/images.sh). Its first commit compiles a
/// generated library at -O2, tens of seconds of real work when cold; its second commit changes only
/// <c>src/main.c</c>, so a build that imports the registry cache reuses the library's layers. The
/// files are real ones in CompiledSample/ beside this source file (scripts/buildkit-smoke.sh builds
/// the same tree); CompiledSample/second-commit/ holds what the second commit changes.
/// </summary>
public static class CompiledSampleRepository
{
    public const string FullName = "demo/compiled";
    public const string Token = SampleRepository.Token;
    /// <summary>What the first commit's image prints first; a checksum of the library follows.</summary>
    public const string FirstOutput = "compiled sample v1: checksum ";
    /// <summary>What the second commit's image prints first.</summary>
    public const string SecondOutput = "compiled sample v2: checksum ";

    private const string SecondCommitFolder = "second-commit";

    public static readonly DateTimeOffset FirstCommitDate = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset SecondCommitDate = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The sample's folder in the source tree.</summary>
    public static string Directory { get; } = Path.Combine(SourceDirectory(), "CompiledSample");

    /// <summary>The first commit's tree: every file of the folder but the second commit's.</summary>
    public static IReadOnlyDictionary<string, string> FirstCommitFiles { get; } =
        ReadTree(Directory).Where(f => !f.Key.StartsWith(SecondCommitFolder + "/", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);

    /// <summary>The files the second commit changes (only the application source).</summary>
    public static IReadOnlyDictionary<string, string> SecondCommitChanges { get; } =
        ReadTree(Path.Combine(Directory, SecondCommitFolder)).ToDictionary(StringComparer.Ordinal);

    /// <summary>Creates the repository with both commits; returns it with the two SHAs, oldest first.</summary>
    public static async Task<(TestRepository Repository, string FirstCommit, string SecondCommit)> CreateAsync(GitHubTestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        // Fixed dates keep both SHAs, and so the image tags, the same on every start of the demo.
        var repository = await server.CreateRepositoryAsync(FullName, FirstCommitFiles, Token, defaultBranch: "main", isPrivate: true, commitDate: FirstCommitDate);
        var first = await GitHubTestServer.RevParseAsync(repository, "refs/heads/main")
            ?? throw new InvalidOperationException($"{FullName} has no main branch after its first commit");
        var second = await server.AddCommitAsync(
            FullName, SecondCommitChanges.ToDictionary(f => f.Key, string? (f) => f.Value, StringComparer.Ordinal),
            message: "Change only the application source", date: SecondCommitDate);
        return (repository, first, second);
    }

    private static IEnumerable<KeyValuePair<string, string>> ReadTree(string root) =>
        System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => KeyValuePair.Create(Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText(f)))
            .OrderBy(f => f.Key, StringComparer.Ordinal);

    // The sample is read from the source tree, as the golden files are: the test project is always
    // built and run from its clone.
    private static string SourceDirectory([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
