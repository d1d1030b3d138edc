using System.Text.Json;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Dashboard;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Dashboard;

public sealed class BuildViewsTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Detail_BuildWithTokenSecretAndPlanEnvs_CarriesNeitherToThePage()
    {
        var build = Build();
        build.Spec.Source.TokenSecretRef = new SecretKeyRef { Name = "the-token-secret", Key = "token" };
        build.Spec.BuildPlan = new BuildPlanSpec { Builder = "dockerfile", Envs = [new BuildEnv { Key = "API_KEY", Value = "plan-env-value" }] };

        var json = JsonSerializer.Serialize(BuildViews.Detail(build, [], [], null), Web);

        Assert.DoesNotContain("the-token-secret", json, StringComparison.Ordinal);
        Assert.DoesNotContain("plan-env-value", json, StringComparison.Ordinal);
        Assert.DoesNotContain("API_KEY", json, StringComparison.Ordinal);
        Assert.Contains("\"builder\":\"dockerfile\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RefTypes.Repo, "main", "branch main")]
    [InlineData(RefTypes.Repo, null, "default branch")]
    [InlineData(RefTypes.Tag, "v1", "tag v1")]
    [InlineData(RefTypes.Release, "v2", "release v2")]
    [InlineData(RefTypes.Commit, "3f2c9ab", "commit 3f2c9ab")]
    public void Summary_NotYetAccepted_WordsTheRefAsStatusWould(string type, string? value, string expected)
    {
        var build = Build();
        build.Status = null;
        build.Spec.Source.Type = type;
        build.Spec.Source.Branch = type == RefTypes.Repo ? value : null;
        build.Spec.Source.Tag = type == RefTypes.Tag ? value : null;
        build.Spec.Source.Release = type == RefTypes.Release ? value : null;
        build.Spec.Source.Commit = type == RefTypes.Commit ? value : null;

        var summary = BuildViews.Summary(build);

        Assert.Equal((expected, "", 0), (summary.Ref, summary.Phase, summary.Retries));
    }

    [Fact]
    public void Summary_KubernetesTimesWithoutKind_AreUtc()
    {
        var build = Build();
        build.Metadata.CreationTimestamp = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Unspecified);

        var summary = BuildViews.Summary(build);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), summary.Created);
        Assert.Equal(TimeSpan.Zero, summary.Started!.Value.Offset);
    }

    [Theory]
    [InlineData("Complete", 0, "Complete")]
    [InlineData("Failed", 0, "Failed")]
    [InlineData(null, 1, "Running")]
    [InlineData(null, 0, "Pending")]
    public void Job_Conditions_GiveItsState(string? condition, int active, string state)
    {
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "b-1", Labels = new Dictionary<string, string> { [Annotations.AttemptLabel] = "1" } },
            Status = new V1JobStatus
            {
                Active = active,
                Conditions = condition is null ? null : [new V1JobCondition { Type = condition, Status = "True", Reason = "R", Message = "said why" }],
            },
        };

        var view = BuildViews.Job(job);

        Assert.Equal((state, "1"), (view.State, view.Attempt));
        Assert.Equal(condition is null ? null : "said why", view.Message);
    }

    private static ImageBuild Build() => new()
    {
        Metadata = new V1ObjectMeta { Name = "b", NamespaceProperty = "ns", Uid = "u-1", CreationTimestamp = DateTime.UtcNow },
        Spec = new ImageBuildSpec { UserId = "18008", ApplicationId = "app", Source = new SourceSpec { Repo = "o/r", Branch = "main" } },
        Status = new ImageBuildStatus
        {
            Phase = Phases.Building,
            Ref = "branch main",
            StartTime = new DateTime(2026, 12, 1, 10, 0, 1, DateTimeKind.Unspecified),
        },
    };
}
