using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class SourceRefsTests
{
    public static TheoryData<SourceSpec> Valid => new()
    {
        new SourceSpec { Type = RefTypes.Repo },
        new SourceSpec { Type = RefTypes.Repo, Branch = "feature/x" },
        new SourceSpec { Type = RefTypes.Tag, Tag = "v1.0" },
        new SourceSpec { Type = RefTypes.Release, Release = "v1.0" },
        new SourceSpec { Type = RefTypes.Commit, Commit = "abcdef1" },
        new SourceSpec { Type = RefTypes.Commit, Commit = "latest", Branch = "dev" },
        new SourceSpec { Type = RefTypes.Commit, Commit = "" },
    };

    public static TheoryData<SourceSpec> Invalid => new()
    {
        new SourceSpec { Type = "pull" },
        new SourceSpec { Type = RefTypes.Repo, Branch = "-x" },
        new SourceSpec { Type = RefTypes.Tag },
        new SourceSpec { Type = RefTypes.Tag, Tag = "v1..2" },
        new SourceSpec { Type = RefTypes.Release, Release = "" },
        new SourceSpec { Type = RefTypes.Commit, Commit = "HEAD~1" },
        new SourceSpec { Type = RefTypes.Commit, Commit = "latest", Branch = "a b" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Validate_UsableRef_ReturnsNull(SourceSpec spec) => Assert.Null(SourceRefs.Validate(spec));

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_UnusableRefOrType_IsUserFaultInvalidSource(SourceSpec spec)
    {
        var failure = SourceRefs.Validate(spec);

        Assert.Equal((Faults.User, SourceFailureReasons.InvalidSource), (failure!.Fault, failure.Reason));
    }
}
