using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Reconciliation;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Reconciliation;

public sealed class SupersessionTests
{
    private static readonly DateTime T0 = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    private static ImageBuild Build(string name, double seconds, string type = RefTypes.Repo, string? branch = "main", string? pinned = null,
        string user = "18008", string? app = "app", string ns = "team", bool stamped = true)
    {
        var build = new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = "uid-" + name, CreationTimestamp = T0.AddSeconds(Math.Floor(seconds)) },
            Spec = new ImageBuildSpec
            {
                UserId = user,
                ApplicationId = app,
                Source = new SourceSpec
                {
                    Repo = "owner/app",
                    Type = type,
                    Branch = branch,
                    Commit = type == RefTypes.Commit ? pinned : null,
                    Tag = type == RefTypes.Tag ? pinned : null,
                    Release = type == RefTypes.Release ? pinned : null,
                },
            },
        };
        if (stamped)
        {
            build.Metadata.Annotations = new Dictionary<string, string> { [Annotations.RequestedAt] = RequestOrder.Stamp(new DateTimeOffset(T0).AddSeconds(seconds)) };
        }
        return build;
    }

    public static TheoryData<string, ImageBuild, ImageBuild, bool> Cases() => new()
    {
        { "newer request, same branch", Build("new", 2), Build("old", 1), true },
        { "older request never supersedes a newer one", Build("old", 1), Build("new", 2), false },
        { "100 ns apart is enough", Build("new", 1.0000001), Build("old", 1), true },
        { "same instant: the name decides, one way only", Build("b", 1), Build("a", 1), true },
        { "another branch", Build("new", 2, branch: "dev"), Build("old", 1), false },
        { "default branch (no name) twice", Build("new", 2, branch: null), Build("old", 1, branch: null), true },
        { "latest commit of a branch is following that branch", Build("new", 2, RefTypes.Commit, "main", "latest"), Build("old", 1), true },
        { "explicit commit is not superseded by the branch", Build("new", 2), Build("old", 1, RefTypes.Commit, "main", "abc123"), false },
        { "explicit commit is not superseded by another commit", Build("new", 2, RefTypes.Commit, "main", "def456"), Build("old", 1, RefTypes.Commit, "main", "abc123"), false },
        { "the same commit again (any case)", Build("new", 2, RefTypes.Commit, "main", "ABC123"), Build("old", 1, RefTypes.Commit, "main", "abc123"), true },
        { "a tag is not superseded by the branch", Build("new", 2), Build("old", 1, RefTypes.Tag, null, "v1"), false },
        { "a tag is not superseded by another tag", Build("new", 2, RefTypes.Tag, null, "v2"), Build("old", 1, RefTypes.Tag, null, "v1"), false },
        { "a branch is not superseded by a pinned request", Build("new", 2, RefTypes.Tag, null, "v1"), Build("old", 1), false },
        { "another user", Build("new", 2, user: "other"), Build("old", 1), false },
        { "another application", Build("new", 2, app: "other"), Build("old", 1), false },
        { "another namespace", Build("new", 2, ns: "elsewhere"), Build("old", 1), false },
        { "no application id: never", Build("new", 2, app: null), Build("old", 1, app: null), false },
        { "kubectl-applied (creationTimestamp) vs stamped, later second", Build("new", 3, stamped: false), Build("old", 1.5), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Supersedes_FollowsTheRules(string why, ImageBuild newer, ImageBuild older, bool expected) =>
        Assert.True(expected == Supersession.Supersedes(newer, older), why);

    [Fact]
    public void Supersedes_NeverBothWays()
    {
        var builds = new[] { Build("a", 1), Build("b", 1), Build("c", 1.5, stamped: false), Build("d", 1) };
        foreach (var x in builds)
        {
            foreach (var y in builds)
            {
                Assert.False(Supersession.Supersedes(x, y) && Supersession.Supersedes(y, x), $"{x.Metadata.Name} and {y.Metadata.Name}");
            }
        }
    }

    [Fact]
    public void SupersededBy_NamesTheNewestOfThoseThatSupersede()
    {
        var old = Build("old", 1);
        var others = new[] { Build("mid", 2), Build("newest", 3), Build("other-branch", 4, branch: "dev"), old };

        Assert.Equal("newest", Supersession.SupersededBy(old, others)?.Metadata.Name);
        Assert.Null(Supersession.SupersededBy(others[1], others));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(Phases.Pending, true)]
    [InlineData(Phases.Queued, true)]
    [InlineData(Phases.Building, true)]
    [InlineData(Phases.Retrying, true)]
    [InlineData(Phases.Succeeded, false)]
    [InlineData(Phases.Failed, false)]
    [InlineData(Phases.Superseded, false)]
    [InlineData(Phases.Cancelled, false)]
    public void CanBeSuperseded_OnlyUnfinished(string? phase, bool expected) => Assert.Equal(expected, Supersession.CanBeSuperseded(phase));
}
