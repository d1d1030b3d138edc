namespace ImageBuilder.GitHubServer;

/// <summary>The demo's repository: a tiny app whose Dockerfile builds on the local registry's busybox.</summary>
public static class SampleRepository
{
    public const string FullName = "demo/hello";
    public const string Token = "demo-token";
    public const string Output = "hello from imagebuilder";

    public static readonly DateTimeOffset CommitDate = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyDictionary<string, string> Files { get; } = new Dictionary<string, string>
    {
        ["Dockerfile"] = """
            FROM 127.0.0.1:5000/base/busybox:latest
            COPY app.sh /app/app.sh
            CMD ["/bin/sh", "/app/app.sh"]

            """,
        ["app.sh"] = $"""
            #!/bin/sh
            echo "{Output}"

            """,
        ["README.md"] = "# hello\n\nThe ImageBuilder demo app: it prints a greeting.\n",
    };

    public static Task<TestRepository> CreateAsync(GitHubTestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        // A fixed date keeps the commit SHA, and so the image tag, the same on every start of the demo.
        return server.CreateRepositoryAsync(FullName, Files, Token, defaultBranch: "main", isPrivate: true, commitDate: CommitDate);
    }
}
