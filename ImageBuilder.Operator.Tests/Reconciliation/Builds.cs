using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ImageBuilder.Operator.Tests.Reconciliation;

/// <summary>ImageBuilds and contexts for step tests.</summary>
internal static class Builds
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    public static ImageBuild New(Action<ImageBuildSpec>? change = null)
    {
        var build = new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = "app", NamespaceProperty = "team", Uid = "uid-1", Generation = 1 },
            Spec = new ImageBuildSpec
            {
                UserId = "18008",
                ApplicationId = "app",
                Source = new SourceSpec { Connector = Connectors.GitHub, Repo = "owner/app", Type = RefTypes.Repo, Branch = "main" },
            },
        };
        change?.Invoke(build.Spec);
        return build;
    }

    /// <summary>Outcomes with the default retry settings, for steps that only need them to report a final failure.</summary>
    public static BuildOutcomes Outcomes() => new(new RecordingRetryScheduler(), MsOptions.Create(new RetryOptions()));

    /// <summary>Runs <paramref name="step"/> alone, then writes Ready from what it did, as the runner does after the last step.</summary>
    public static async Task<StepResult> RunAsync(IReconcileStep step, ReconcileContext context)
    {
        var result = await step.RunAsync(context, CancellationToken.None);
        ReadySummary.Apply(context);
        return result;
    }

    public static ReconcileContext Context(ImageBuild? build = null, Action<ImageBuildStatus>? status = null)
    {
        build ??= New();
        var s = new ImageBuildStatus();
        status?.Invoke(s);
        return new ReconcileContext(build, s, Now);
    }
}
