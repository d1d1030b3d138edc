using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Sources;

namespace ImageBuilder.Operator.Tests.Sources;

public sealed class GitFaultsTests
{
    [Theory]
    [InlineData("remote: Repository not found.\nfatal: repository 'https://h/x.git/' not found", Faults.User, SourceFailureReasons.RepositoryNotFound)]
    [InlineData("fatal: '/srv/x.git' does not appear to be a git repository\nfatal: Could not read from remote repository.", Faults.User, SourceFailureReasons.RepositoryNotFound)]
    [InlineData("fatal: remote error: access denied or repository not exported: /x.git", Faults.User, SourceFailureReasons.RepositoryNotFound)]
    [InlineData("fatal: could not read Username for 'http://h': terminal prompts disabled", Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData("remote: Invalid username or password.\nfatal: Authentication failed for 'https://h/x.git/'", Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData("fatal: unable to access 'https://h/x.git/': The requested URL returned error: 403", Faults.User, SourceFailureReasons.TokenRefused)]
    [InlineData("fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused", Faults.Service, SourceFailureReasons.GitUnavailable)]
    [InlineData("fatal: unable to access 'https://h/x.git/': The requested URL returned error: 503", Faults.Service, SourceFailureReasons.GitUnavailable)]
    [InlineData("fatal: unable to access 'https://h/x.git/': Could not resolve host: h", Faults.Service, SourceFailureReasons.GitUnavailable)]
    [InlineData("fatal: unable to access 'https://h/x.git/': Failed to connect to h port 443 after 2 ms: Connection timed out", Faults.Service, SourceFailureReasons.GitUnavailable)]
    public void Classify_StandardError_ClassifiesUserOrService(string stderr, string fault, string reason)
    {
        var failure = GitFaults.Classify("https://h/x.git", stderr);

        Assert.Equal((fault, reason), (failure.Fault, failure.Reason));
        Assert.Contains("https://h/x.git", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimedOut_Always_IsServiceFault()
    {
        var failure = GitFaults.TimedOut("git://h/x.git", TimeSpan.FromSeconds(30));

        Assert.Equal((Faults.Service, SourceFailureReasons.GitUnavailable), (failure.Fault, failure.Reason));
        Assert.Contains("30 s", failure.Message, StringComparison.Ordinal);
    }
}
