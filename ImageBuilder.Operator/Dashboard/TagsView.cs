namespace ImageBuilder.Operator.Dashboard;

/// <summary>The tags of one repository.</summary>
public sealed record TagsView(string Registry, string Repository, IReadOnlyList<TagView> Tags, bool Truncated, string? Error, DateTimeOffset ReadAt);
