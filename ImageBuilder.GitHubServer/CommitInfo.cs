namespace ImageBuilder.GitHubServer;

/// <summary>A commit as <c>git show -s</c> reports it.</summary>
internal sealed record CommitInfo(
    string Sha, string Tree, IReadOnlyList<string> Parents,
    string AuthorName, string AuthorEmail, string AuthorDate,
    string CommitterName, string CommitterEmail, string CommitterDate, string Message)
{
    public const string Format = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B";

    public static async Task<CommitInfo> ReadAsync(TestRepository repository, string sha)
    {
        var output = await GitCli.RunAsync(repository.GitDirectory, ["show", "-s", "--format=" + Format, sha]);
        var f = output.Split('\0');
        return new CommitInfo(f[0], f[1], f[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), f[3], f[4], f[5], f[6], f[7], f[8], f[9].TrimEnd('\n'));
    }
}
