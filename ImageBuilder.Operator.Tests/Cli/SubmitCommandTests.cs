using ImageBuilder.Operator.Cli;
using ImageBuilder.Operator.Tests.Requests;

namespace ImageBuilder.Operator.Tests.Cli;

public sealed class SubmitCommandTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await SubmitCommand.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_MissingArguments_ExitsTwoWithUsage()
    {
        var (code, _, err) = await RunAsync("submit", "--repo", "demo/hello");

        Assert.Equal(2, code);
        Assert.Contains("Missing --user, --token-file.", err, StringComparison.Ordinal);
        Assert.Contains("usage: submit", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownArgument_ExitsTwo()
    {
        var (code, _, err) = await RunAsync("--repo", "demo/hello", "--colour", "blue");

        Assert.Equal(2, code);
        Assert.Contains("Unknown argument '--colour'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InvalidRequest_IsNotSentAndSaysWhy()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, RequestSamples.Token + "\n");
        try
        {
            var (code, _, err) = await RunAsync("--repo", "not a repo", "--user", "18008", "--token-file", tokenFile, "--amqp", "amqp://guest:guest@127.0.0.1:1/");

            Assert.Equal(2, code);
            Assert.Contains("Not sent: Field 'repo' must be 'owner/name'", err, StringComparison.Ordinal);
            Assert.DoesNotContain(RequestSamples.Token, err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
