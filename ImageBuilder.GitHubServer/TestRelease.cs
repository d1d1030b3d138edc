namespace ImageBuilder.GitHubServer;

/// <summary>A GitHub release: a name on a tag. Git has no releases, so the server keeps them in memory.</summary>
public sealed record TestRelease(long Id, string TagName, string Name, string TargetCommitish, DateTimeOffset CreatedAt);
