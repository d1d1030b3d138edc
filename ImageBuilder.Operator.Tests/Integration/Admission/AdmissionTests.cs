using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Controllers.Election;
using ImageBuilder.Operator.Reconciliation;
using ImageBuilder.Operator.Tests.Integration.Reconciliation;
using ImageBuilder.Testing.Operators;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ImageBuilder.Operator.Tests.Integration.Admission;

/// <summary>Build slots on the real cluster: the limit as a Job watch sees it, fairness, a restart mid-queue, cancelling.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AdmissionTests(PlatformFixture fixture, ITestOutputHelper output)
{
    // Other work on the shared platform restarts the registry now and then: a build retries (and needs a slot
    // again) instead of failing the test. Job orders below compare each build's first Job.
    private const int Retries = 8;

    private static Dictionary<string, string?> Limits(int max, int perUser) => new(StringComparer.Ordinal)
    {
        ["Build:MaxConcurrentBuilds"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Build:MaxConcurrentBuildsPerUser"] = perUser.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task LimitTwo_SixRequests_NeverMoreThanTwoJobsAndAllSucceed()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: Limits(2, 2));
        await using var jobs = await JobWatch.StartAsync(scenario.Kubernetes, scenario.Namespace);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("limit " + Guid.NewGuid().ToString("N")));

        // Three users, two requests each.
        var names = await SubmitBuildsAsync(scenario, repo, token, "six", 6, i => $"user-{i % 3}");
        await WaitForAllToSucceedAsync(scenario, names);

        Assert.Equal(6, jobs.Started.Distinct().Count());
        Assert.InRange(jobs.MaxUnfinished, 1, 2);
        // Two started at once; the four others waited in phase Queued and said so (a retried build may have waited too).
        var waited = 0;
        foreach (var name in names)
        {
            waited += (await scenario.EventsAsync(name)).Any(e => e.Reason == Reasons.WaitingForBuildSlot) ? 1 : 0;
        }
        Assert.InRange(waited, 4, 6);
    }

    [Fact]
    public async Task OneUsersBurstAndAnothersSingleRequest_TheSingleOneStartsWithinOneSlot()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: Limits(2, 3));
        await using var jobs = await JobWatch.StartAsync(scenario.Kubernetes, scenario.Namespace);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(3, "burst " + Guid.NewGuid().ToString("N")));
        await SubmitBuildsAsync(scenario, repo, token, "burst", 6, _ => "busy-user");
        await Eventually.WaitAsync(async () => (await scenario.GetAsync("burst-6"))?.Status?.Phase == Phases.Queued, BuildScenario.BuildTimeout, "the burst to fill both slots and queue");

        await SubmitBuildAsync(scenario, repo, token, "lone", "lone-user");
        var seen = await Eventually.ValueAsync(() => scenario.GetAsync("lone"), b => b?.Status?.Phase is Phases.Queued or Phases.Building or Phases.Succeeded,
            BuildScenario.BuildTimeout, "the lone build to be queued or started", BuildScenario.Describe);
        // Read after the phase: every Job counted here started before the lone build could have been placed.
        var startedBefore = jobs.Started.Count;
        output.WriteLine($"lone seen {seen!.Status!.Phase} (position {seen.Status.QueuePosition}) with {startedBefore} Jobs started");

        await scenario.WaitForEndAsync("lone", Phases.Succeeded);
        var order = jobs.Started.Distinct().ToList();
        output.WriteLine("Job order: " + string.Join(", ", order));
        // Within one build slot: of the burst queued with it, at most one more Job may start before it (when the two
        // running builds end together, both slots free at once and one of them goes to the burst); a first-come queue
        // would start all four queued burst builds first.
        Assert.InRange(order.IndexOf("lone"), 0, startedBefore + 1);
        Assert.InRange(jobs.MaxUnfinished, 1, 2);
        if (seen.Status.Phase == Phases.Queued)
        {
            Assert.Equal(1, seen.Status.QueuePosition);
        }
    }

    [Fact]
    public async Task OperatorRestarted_WhileBuildsAreQueued_QueueContinuesInOrder()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, overrides: Limits(1, 1));
        await using var jobs = await JobWatch.StartAsync(scenario.Kubernetes, scenario.Namespace);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(4, "restart " + Guid.NewGuid().ToString("N")));
        var names = await SubmitBuildsAsync(scenario, repo, token, "order", 4);
        await scenario.WaitForPhaseAsync("order-1", Phases.Building);
        await scenario.WaitForPhaseAsync("order-4", Phases.Queued);

        await scenario.StopOperatorsAsync();
        await scenario.StartOperatorAsync();
        await WaitForAllToSucceedAsync(scenario, names);

        Assert.Equal(names, jobs.Started.Distinct());
        Assert.Equal(1, jobs.MaxUnfinished);
    }

    /// <summary>
    /// Two replicas on one Lease and one set of queues, as <c>make up</c> runs them. The leader is a process of its own
    /// (<see cref="OperatorProcess"/>) so that killing it is a real crash: SIGKILL runs no shutdown code, so the Lease is
    /// not released and the standby has to wait for it to expire (the harness's 6 s LeaseDuration). The standby runs
    /// in-process, so the test reads its leadership and the container manager's queue through it. Four commits of one
    /// application, one slot: the queue must go on in request order, one Job at a time, one announcement per build.
    /// </summary>
    [Fact]
    public async Task LeaderKilled_WhileBuildsAreQueued_StandbyContinuesQueueInOrder()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true, overrides: Limits(1, 1), hosts: 0);
        await using var jobs = await JobWatch.StartAsync(scenario.Kubernetes, scenario.Namespace);
        var logs = Directory.CreateTempSubdirectory("ib-leaderkill-");
        var leaderIdentity = "doomed-" + Guid.NewGuid().ToString("N")[..8];
        var leader = OperatorProcess.Start(fixture.OperatorDll(), ProcessEnvironment(scenario), Path.Combine(logs.FullName, leaderIdentity + ".log"), leaderIdentity);
        try
        {
            var lease = await WaitForHolderAsync(scenario, h => h == leaderIdentity, "the operator process to lead");
            var standby = await scenario.StartOperatorAsync();
            var standbyIdentity = ((LeaseLeaderElection)standby.Services.GetRequiredService<ILeaderElection>()).Identity;

            // Four commits of one application, each request naming its commit: none supersedes another (a named commit
            // is never superseded by a different ref), each needs its own Job, and their announcements are ordered.
            var (repo, token, first) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(4, "leader-kill 1 " + Guid.NewGuid().ToString("N")));
            List<string> commits = [first];
            for (var i = 2; i <= 4; i++)
            {
                var files = SampleApps.Sleeping(4, $"leader-kill {i} " + Guid.NewGuid().ToString("N")).ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
                commits.Add(await scenario.GitHub.AddCommitAsync(repo, files));
            }
            var names = Enumerable.Range(1, 4).Select(i => $"kill-{i}").ToList();
            foreach (var (name, commit) in names.Zip(commits))
            {
                var build = BuildScenario.NewBuild(name, repo, name + "-token", applicationId: "one-app", maxRetries: Retries);
                build.Spec.Source.Type = RefTypes.Commit;
                build.Spec.Source.Branch = null;
                build.Spec.Source.Commit = commit;
                await scenario.SubmitAsync(build, token);
            }
            await scenario.WaitForPhaseAsync("kill-1", Phases.Building);
            await scenario.WaitForPhaseAsync("kill-4", Phases.Queued);
            Assert.False(standby.IsLeader);

            await leader.KillAsync();
            output.WriteLine($"killed {leaderIdentity} with kill-1 building and kill-4 queued");

            // The standby takes the same Lease object over once it expired: a release would have deleted it (a new uid).
            var taken = await WaitForHolderAsync(scenario, h => h == standbyIdentity, "the standby to take the Lease over");
            Assert.Equal(lease.Metadata.Uid, taken.Metadata.Uid);
            Assert.True(taken.Spec.LeaseTransitions > lease.Spec.LeaseTransitions, $"lease transitions {lease.Spec.LeaseTransitions} -> {taken.Spec.LeaseTransitions}");
            await standby.WaitForLeadershipAsync(TimeSpan.FromSeconds(30));

            var finished = new List<ImageBuild>();
            foreach (var name in names)
            {
                finished.Add(await scenario.WaitForPhaseAsync(name, Phases.Succeeded, Phases.Failed));
            }
            Assert.All(finished, b => Assert.Equal(Phases.Succeeded, b.Status!.Phase));
            Assert.Equal(commits, finished.Select(b => b.Status!.Commit));
            Assert.Equal(names, jobs.Started.Distinct());
            Assert.Equal(1, jobs.MaxUnfinished);

            // Every build is announced once, in request order; each status records its confirmed message, so once all four
            // are read nothing more can be on its way.
            var messages = await standby.TakeAsync(scenario.Settings.ContainerManagerQueue, 4, BuildScenario.BuildTimeout);
            Assert.Equal(names.Select(n => $"{scenario.Namespace}/{n}"), messages.Select(m => m.GetProperty("imageBuild").GetString()));
            Assert.Equal(commits, messages.Select(m => m.GetProperty("buildCommit").GetString()));
            Assert.All(finished, b => Assert.NotNull(b.Status!.Notification));
            Assert.Equal(0u, await standby.ReadyCountAsync(scenario.Settings.ContainerManagerQueue));
            Assert.Equal(0u, await standby.ReadyCountAsync(scenario.Settings.KusanaliQueue));
            Assert.Equal(standbyIdentity, (await LeaseAsync(scenario)).Spec.HolderIdentity);
        }
        finally
        {
            await leader.DisposeAsync();
            output.WriteLine($"--- log of the killed leader {leaderIdentity} ---");
            foreach (var line in await File.ReadAllLinesAsync(leader.LogFile))
            {
                output.WriteLine(line);
            }
            logs.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CancelAnnotation_QueuedAndBuilding_CancelledJobGoneNobodyNotified()
    {
        await using var scenario = await BuildScenario.StartAsync(fixture, output, rabbitMq: true, overrides: Limits(1, 1));
        await using var jobs = await JobWatch.StartAsync(scenario.Kubernetes, scenario.Namespace);
        var (repo, token, _) = await scenario.CreateRepositoryAsync(SampleApps.Sleeping(120, "cancel " + Guid.NewGuid().ToString("N")));
        await SubmitBuildAsync(scenario, repo, token, "long");
        await scenario.WaitForPhaseAsync("long", Phases.Building);
        await SubmitBuildAsync(scenario, repo, token, "waiting");
        await scenario.WaitForPhaseAsync("waiting", Phases.Queued);

        await CancelAsync(scenario, "waiting", "changed my mind");
        await CancelAsync(scenario, "long", "deploy rolled back");

        var waiting = await scenario.WaitForPhaseAsync("waiting", Phases.Cancelled);
        var cancelled = await scenario.WaitForPhaseAsync("long", Phases.Cancelled);
        var ready = cancelled.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal(Reasons.Cancelled, ready.Reason);
        Assert.Contains("deploy rolled back", ready.Message, StringComparison.Ordinal);
        Assert.Contains("platform-backend", ready.Message, StringComparison.Ordinal);
        await Eventually.WaitAsync(async () => (await scenario.JobsAsync("long")).Count == 0, BuildScenario.BuildTimeout, "the cancelled build's Job to be deleted");
        Assert.Null(await scenario.SecretAsync("long-token"));
        Assert.Null(await scenario.SecretAsync("waiting-token"));
        Assert.Empty(await scenario.JobsAsync("waiting"));
        Assert.Contains(await scenario.EventsOnceAsync("long", Reasons.Cancelled), e => e.Reason == Reasons.Cancelled && e.Message.Contains("deploy rolled back", StringComparison.Ordinal));
        Assert.Equal(Reasons.Cancelled, waiting.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);

        // The slot is free again: the next build gets it and succeeds; cancelling it afterwards changes nothing.
        var (quick, quickToken, _) = await scenario.CreateRepositoryAsync(SampleApps.Printing("after " + Guid.NewGuid().ToString("N")));
        await SubmitBuildAsync(scenario, quick, quickToken, "after");
        await scenario.WaitForEndAsync("after", Phases.Succeeded);
        await CancelAsync(scenario, "after", "too late");
        await Eventually.WaitAsync(async () => (await scenario.GetAsync("after"))?.Metadata.Annotations?.ContainsKey(Annotations.Cancel) == true, TimeSpan.FromSeconds(30), "the annotation on the finished build");

        // Only the finished build was announced: one message on the container manager's queue, none for a cancelled one.
        var message = Assert.Single(await scenario.Operator.TakeAsync(scenario.Settings.ContainerManagerQueue, 1, BuildScenario.BuildTimeout));
        Assert.Equal($"{scenario.Namespace}/after", message.GetProperty("imageBuild").GetString());
        Assert.Equal(0u, await scenario.Operator.ReadyCountAsync(scenario.Settings.KusanaliQueue));
        Assert.Equal(Phases.Succeeded, (await scenario.GetAsync("after"))!.Status!.Phase);
        Assert.Equal(["long", "after"], jobs.Started.Distinct());
    }

    /// <summary>The harness's operator configuration as environment variables, for a replica in its own process.</summary>
    private static Dictionary<string, string> ProcessEnvironment(BuildScenario scenario) =>
        OperatorConfiguration.Environment(OperatorHost.Configuration(scenario.Fixture, scenario.GitHub, scenario.Settings));

    private static Task<V1Lease> LeaseAsync(BuildScenario scenario) =>
        scenario.Kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(scenario.Settings.LeaseName, scenario.Namespace);

    private static async Task<V1Lease> WaitForHolderAsync(BuildScenario scenario, Func<string?, bool> holder, string what) =>
        (await Eventually.ValueAsync<V1Lease?>(async () =>
        {
            try
            {
                return await LeaseAsync(scenario);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // No replica has created the Lease yet.
                return null;
            }
        }, l => l is not null && holder(l.Spec?.HolderIdentity), TimeSpan.FromSeconds(90), what, l => l?.Spec?.HolderIdentity ?? "(no Lease)"))!;

    /// <summary>
    /// Submits <paramref name="count"/> builds of <paramref name="repo"/> named <paramref name="prefix"/>-1 and on, in that
    /// order; <paramref name="user"/> names the user of the i-th (from 0). Their names.
    /// </summary>
    private static async Task<List<string>> SubmitBuildsAsync(BuildScenario scenario, string repo, string token, string prefix, int count, Func<int, string>? user = null)
    {
        var names = Enumerable.Range(1, count).Select(i => $"{prefix}-{i}").ToList();
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            await SubmitBuildAsync(scenario, repo, token, name, user?.Invoke(i));
        }
        return names;
    }

    /// <summary>A build of <paramref name="repo"/> as its own application (none is a cache hit of another), its own token Secret, <see cref="Retries"/> retries.</summary>
    private static async Task SubmitBuildAsync(BuildScenario scenario, string repo, string token, string name, string? user = null)
    {
        var build = BuildScenario.NewBuild(name, repo, name + "-token", maxRetries: Retries);
        build.Spec.UserId = user ?? build.Spec.UserId;
        await scenario.SubmitAsync(build, token);
    }

    private static async Task WaitForAllToSucceedAsync(BuildScenario scenario, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            await scenario.WaitForEndAsync(name, Phases.Succeeded);
        }
    }

    private static async Task CancelAsync(BuildScenario scenario, string name, string reason)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [Annotations.Cancel] = reason } } }), V1Patch.PatchType.MergePatch);
        await scenario.Kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(patch, ImageBuild.Group, ImageBuild.Version, scenario.Namespace, ImageBuild.Plural, name, fieldManager: "platform-backend");
    }
}
