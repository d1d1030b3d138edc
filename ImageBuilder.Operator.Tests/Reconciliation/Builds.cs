using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

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

    public static ReconcileContext Context(ImageBuild? build = null, Action<ImageBuildStatus>? status = null)
    {
        build ??= New();
        var s = new ImageBuildStatus();
        status?.Invoke(s);
        return new ReconcileContext(build, s, Now);
    }
}
