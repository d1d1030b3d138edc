using System.Net;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;
using Octokit;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitHubFaultsTests
{
    private static readonly GitHubRepositoryName Repo = new("octo", "app");

    [Theory]
    [InlineData(401, GitHubFaults.Lookup.Repository, Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData(403, GitHubFaults.Lookup.Repository, Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData(401, GitHubFaults.Lookup.Ref, Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData(404, GitHubFaults.Lookup.Repository, Faults.User, SourceFailureReasons.RepositoryNotFound)]
    [InlineData(404, GitHubFaults.Lookup.Ref, Faults.User, SourceFailureReasons.RefNotFound)]
    [InlineData(422, GitHubFaults.Lookup.Ref, Faults.User, SourceFailureReasons.RefNotFound)]
    [InlineData(409, GitHubFaults.Lookup.Ref, Faults.User, SourceFailureReasons.RefNotFound)]
    [InlineData(500, GitHubFaults.Lookup.Repository, Faults.Service, SourceFailureReasons.GitHubUnavailable)]
    [InlineData(502, GitHubFaults.Lookup.Ref, Faults.Service, SourceFailureReasons.GitHubUnavailable)]
    [InlineData(503, GitHubFaults.Lookup.Ref, Faults.Service, SourceFailureReasons.GitHubUnavailable)]
    [InlineData(429, GitHubFaults.Lookup.Ref, Faults.Service, SourceFailureReasons.GitHubRateLimited)]
    public void FromApiException_Status_ClassifiesFault(int status, GitHubFaults.Lookup lookup, string fault, string reason)
    {
        var failure = GitHubFaults.FromApiException(Exception(status), Repo, lookup, "branch 'main'");

        Assert.Equal((fault, reason, 0), (failure.Fault, failure.Reason, failure.Attempt));
        Assert.Contains("octo/app", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(429)]
    public void FromApiException_NoRequestsRemaining_IsServiceRateLimited(int status)
    {
        var exception = Exception(status, new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0" });

        var failure = GitHubFaults.FromApiException(exception, Repo, GitHubFaults.Lookup.Repository, null);

        Assert.Equal((Faults.Service, SourceFailureReasons.GitHubRateLimited), (failure.Fault, failure.Reason));
    }

    [Fact]
    public void FromApiException_ForbiddenWithRequestsRemaining_IsTokenRefusedInWordsAUserUnderstands()
    {
        var exception = Exception(403, new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "4999" });

        var failure = GitHubFaults.FromApiException(exception, Repo, GitHubFaults.Lookup.Repository, null);

        Assert.Equal("GitHub refused the token for octo/app: it is invalid, expired or lacks access to this repository.", failure.Message);
    }

    [Fact]
    public void FromApiException_RefNotFound_NamesTheRef()
    {
        var failure = GitHubFaults.FromApiException(Exception(422), Repo, GitHubFaults.Lookup.Ref, "tag 'v1.2'");

        Assert.Equal("Tag 'v1.2' was not found in octo/app.", failure.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Unreachable_TimeoutOrConnectionFailure_IsServiceUnavailable(bool timedOut)
    {
        var failure = GitHubFaults.Unreachable(Repo, timedOut);

        Assert.Equal((Faults.Service, SourceFailureReasons.GitHubUnavailable), (failure.Fault, failure.Reason));
        Assert.Contains(timedOut ? "did not answer in time" : "could not be reached", failure.Message, StringComparison.Ordinal);
    }

    private static ApiException Exception(int status, Dictionary<string, string>? headers = null) =>
        new(new StubResponse((HttpStatusCode)status, "{\"message\":\"x\"}", headers ?? new Dictionary<string, string>()));
}
