namespace ImageBuilder.Operator.Dashboard;

/// <summary>The registry page: its repositories, whether the list was cut at the configured maximum, or the error.</summary>
public sealed record CatalogView(string Registry, IReadOnlyList<RepositoryView> Repositories, bool Truncated, string? Error, DateTimeOffset ReadAt);
