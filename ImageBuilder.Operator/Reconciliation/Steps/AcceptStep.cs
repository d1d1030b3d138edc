using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Reconciliation.Steps;

/// <summary>Gives a new ImageBuild its first status: phase Pending, Ready=Unknown, the requested ref. Sets: Ready.</summary>
public sealed class AcceptStep : IReconcileStep
{
    public Task<StepResult> RunAsync(ReconcileContext context, CancellationToken cancellationToken)
    {
        var status = context.Status;
        status.Ref = DescribeRef(context.Build.Spec.Source);
        if (status.Phase is null)
        {
            status.Phase = Phases.Pending;
            context.SetCondition(ConditionTypes.Ready, "Unknown", Reasons.Pending, "The build is accepted and waits to start.");
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
