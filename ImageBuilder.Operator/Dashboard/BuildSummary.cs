namespace ImageBuilder.Operator.Dashboard;

/// <summary>
/// One row of the builds table. Built field by field from the ImageBuild (never the object itself), so nothing the
/// dashboard must not show (the token Secret's reference, build-plan env values) can reach the page.
/// </summary>
public sealed record BuildSummary
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public string User { get; init; } = "";

    public string? Application { get; init; }

    public string Connector { get; init; } = "";

    public string Repo { get; init; } = "";

    /// <summary>What was asked for, as <c>status.ref</c> words it (<c>branch main</c>), or from the spec before the first reconcile.</summary>
    public string Ref { get; init; } = "";

    public string? Commit { get; init; }

    /// <summary>Empty until the operator accepted the build.</summary>
    public string Phase { get; init; } = "";

    /// <summary>The Ready condition's reason (BuildSucceeded, BuildFailed, …).</summary>
    public string? Reason { get; init; }

    public int Retries { get; init; }

    public string? Image { get; init; }

    public string? Digest { get; init; }

    public DateTimeOffset? Created { get; init; }

    public DateTimeOffset? Started { get; init; }

    public DateTimeOffset? Completed { get; init; }
}
