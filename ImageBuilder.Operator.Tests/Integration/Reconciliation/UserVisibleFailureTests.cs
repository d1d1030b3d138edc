using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Sources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Reconciliation;

/// <summary>
/// Issue 10, points 3, 6 and 7 on the development cluster: whatever goes wrong ends on the ImageBuild
/// (a throwing step, a token Secret that comes late or never, a git URL the operator must not reach).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class UserVisibleFailureTests(PlatformFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The real git connector whose git executable is not there, as in an image without git: starting the
    /// process throws Win32Exception inside ResolveSourceStep.
    /// </summary>
    private static void WithoutGit(IServiceCollection services)
    {
        var original = services.Single(d => d.ServiceType == typeof(ISourceConnector) && d.ImplementationType == typeof(GitConnector));
        services.Remove(original);
        var missing = "git-not-installed-" + Guid.NewGuid().ToString("N");
        services.AddSingleton<ISourceConnector>(new GitConnector(TimeSpan.FromSeconds(10), new GitUrlPolicy(new GitSourceOptions { AllowLoopback = true }),
            (_, _, _, _) =>
            {
                using var process = Process.Start(new ProcessStartInfo(missing) { UseShellExecute = false });
                throw new InvalidOperationException("unreachable: the executable does not exist");
            }, NullLogger<GitConnector>.Instance));
    }

    private static ImageBuild GitBuild(string name, string url, string? tokenSecret, int maxRetries)
    {
        var build = BuildScenario.NewBuild(name, "unused", tokenSecret, maxRetries: maxRetries);
        build.Spec.Source.Connector = Connectors.Git;
        build.Spec.Source.Repo = url;
        return build;
    }

    private static V1Condition Ready(ImageBuild? build) => Ready(build!.Status!);

    private static V1Condition Ready(ImageBuildStatus status) => status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);

    [Fact]
    public async Task Reconcile_StepThrows_ReadyFalseReconcileErrorAndAWarningEventAfterTheFirstFailure()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output,
            overrides: new(StringComparer.Ordinal) { ["Reconcile:MaxConsecutiveErrors"] = "100" }, configureServices: WithoutGit);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("never built"));

        await scenario.SubmitAsync(GitBuild("nogit", new Uri(scenario.GitHub.BaseUrl, repo + ".git").AbsoluteUri, "nogit-token", maxRetries: 0), token);
        var build = await Eventually.ValueAsync(() => scenario.GetAsync("nogit"),
            b => b?.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Reason == Reasons.ReconcileError) == true,
            Within, "Ready=False ReconcileError on nogit", BuildScenario.Describe);

        var ready = Ready(build);
        Assert.Equal("False", ready.Status);
        Assert.Contains("Win32Exception", ready.Message, StringComparison.Ordinal);
        Assert.Contains("ResolveSource", ready.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, ready.Message, StringComparison.Ordinal);
        Assert.Equal(Phases.Pending, build!.Status!.Phase);
        Assert.True(build.Status.ReconcileErrors >= 1);
        var events = await scenario.EventsOnceAsync("nogit", Reasons.ReconcileError);
        Assert.Equal("Warning", events.First(e => e.Reason == Reasons.ReconcileError).Type);
        Assert.Empty(await scenario.JobsAsync("nogit"));
    }

    [Fact]
    public async Task Reconcile_StepKeepsThrowing_ServiceFaultRetriedThroughFailQueueThenKusanali()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true,
            overrides: new(StringComparer.Ordinal) { ["Reconcile:MaxConsecutiveErrors"] = "2" }, configureServices: WithoutGit);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("never built"));

        await scenario.SubmitAsync(GitBuild("nogit", new Uri(scenario.GitHub.BaseUrl, repo + ".git").AbsoluteUri, "nogit-token", maxRetries: 1), token);
        var status = await scenario.WaitForEndAsync("nogit", Phases.Failed);
        Assert.Equal((Faults.Service, Reasons.ReconcileError, 1), (status.LastFailure!.Fault, status.LastFailure.Reason, status.Retries));
        Assert.Equal(Reasons.RetriesExhausted, Ready(status).Reason);
        Assert.Contains("Win32Exception", Ready(status).Message, StringComparison.Ordinal);
        var reasons = (await scenario.EventsAsync("nogit")).Select(e => e.Reason).ToList();
        Assert.Contains(Reasons.ReconcileError, reasons);
        Assert.Contains(Reasons.RetryScheduled, reasons);
        Assert.Contains(Reasons.RetryStarted, reasons);
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.KusanaliQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal((Faults.Service, 2), (message.GetProperty("fault").GetString(), message.GetProperty("attempts").GetInt32()));
        Assert.Contains("Win32Exception", message.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, message.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(await scenario.JobsAsync("nogit"));
    }

    [Fact]
    public async Task Reconcile_TokenSecretAppliedAfterTheBuild_WaitsPendingThenBuilds()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output);
        var (repo, token, commit) = await scenario.CreateRepositoryAsync(SampleApps.Printing("late secret"));

        await scenario.SubmitAsync(BuildScenario.NewBuild("late", repo, "late-token"), token: null);
        var waiting = await Eventually.ValueAsync(() => scenario.GetAsync("late"),
            b => b?.Status?.Conditions?.Any(c => c.Type == ConditionTypes.Ready && c.Reason == Reasons.TokenSecretMissing) == true,
            Within, "late waiting for its Secret", BuildScenario.Describe);
        Assert.Equal(Phases.Pending, waiting!.Status!.Phase);
        Assert.Contains("late-token", Ready(waiting).Message, StringComparison.Ordinal);
        Assert.Equal("Warning", (await scenario.EventsOnceAsync("late", Reasons.TokenSecretMissing)).First(e => e.Reason == Reasons.TokenSecretMissing).Type);

        await scenario.Kubernetes.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "late-token" },
            Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes(token) },
        }, scenario.Namespace);
        var build = await scenario.WaitForPhaseAsync("late", Phases.Succeeded, Phases.Failed);

        Assert.Equal(Phases.Succeeded, build.Status!.Phase);
        Assert.Equal(commit, build.Status.Commit);
        Assert.Null(build.Status.TokenSecretMissingSince);
    }

    [Fact]
    public async Task Reconcile_TokenSecretNeverCreated_FailsAfterTheTimeoutAsUserFault()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true,
            overrides: new(StringComparer.Ordinal) { ["Reconcile:TokenSecretTimeout"] = "00:00:05", ["Reconcile:TokenSecretPollInterval"] = "00:00:01" });

        await scenario.SubmitAsync(BuildScenario.NewBuild("nosecret", "rt/never-read", "nosecret-token", maxRetries: 3), token: null);
        var build = await scenario.WaitForPhaseAsync("nosecret", Phases.Succeeded, Phases.Failed);

        var status = build.Status!;
        Assert.Equal(Phases.Failed, status.Phase);
        Assert.Equal((Faults.User, Reasons.TokenSecretMissing, 0), (status.LastFailure!.Fault, status.LastFailure.Reason, status.Retries));
        Assert.Equal(Reasons.TokenSecretMissing, Ready(build).Reason);
        Assert.Contains("nosecret-token", Ready(build).Message, StringComparison.Ordinal);
        var waited = status.CompletionTime!.Value - build.Metadata.CreationTimestamp!.Value;
        Assert.True(waited >= TimeSpan.FromSeconds(4), $"failed after {waited}, before the 5 s timeout");
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.KusanaliQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal(Faults.User, message.GetProperty("fault").GetString());
        Assert.Contains("nosecret-token", message.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_GitUrlOnLoopbackWhenNotAllowed_FailsAsUserFaultWithoutAnyConnection()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true,
            overrides: new(StringComparer.Ordinal) { ["Sources:Git:AllowLoopback"] = "false" });
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        listener.Start();
        var url = $"http://127.0.0.2:{((IPEndPoint)listener.LocalEndpoint).Port}/octo/internal.git";

        await scenario.SubmitAsync(GitBuild("internal", url, tokenSecret: null, maxRetries: 3), token: null);
        var status = await scenario.WaitForEndAsync("internal", Phases.Failed);
        Assert.Equal((Faults.User, GitUrlPolicy.UrlNotAllowed, 0), (status.LastFailure!.Fault, status.LastFailure.Reason, status.Retries));
        Assert.Contains("loopback", Ready(status).Message, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the operator connected to a refused address");
        Assert.Empty(await scenario.JobsAsync("internal"));
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.KusanaliQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal(Faults.User, message.GetProperty("fault").GetString());
    }
}
