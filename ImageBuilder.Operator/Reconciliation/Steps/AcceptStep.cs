using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>Gives a new ImageBuild its first status: phase Pending (Ready=Unknown), the requested ref. Sets: no condition.</summary>
public sealed class AcceptStep : IReconcileStep
{
    /// <summary>Ready's message for a build nothing has happened to yet.</summary>
    public const string Accepted = "The build is accepted and waits to start.";

    public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        var status = context.Status;
        status.Ref = DescribeRef(context.Build.Spec.Source);
        if (status.Phase is null)
        {
            context.MoveTo(Phases.Pending, Reasons.Pending, Accepted);
        }
        return Task.FromResult(StepResult.Continue());
    }

    /// <summary>The ref as a person reads it in <c>kubectl get ib</c>.</summary>
    public static string DescribeRef(SourceSpec source) => source.Type switch
    {
        RefTypes.Tag => $"tag {source.Tag}",
        RefTypes.Release => $"release {source.Release}",
        RefTypes.Commit when string.IsNullOrEmpty(source.Commit) || source.Commit == "latest" => $"latest {source.Branch ?? "default branch"}",
        RefTypes.Commit => $"commit {source.Commit![..Math.Min(7, source.Commit.Length)]}",
        _ => string.IsNullOrEmpty(source.Branch) ? "default branch" : $"branch {source.Branch}",
    };
}
