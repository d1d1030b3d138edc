namespace ImageBuilder.Operator.Dashboard;

/// <summary>A repository of the registry and how many known ImageBuilds push to it.</summary>
public sealed record RepositoryView(string Name, int Builds);
