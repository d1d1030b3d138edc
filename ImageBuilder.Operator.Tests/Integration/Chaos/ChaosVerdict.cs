using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Tests.Integration.Chaos;

/// <summary>
/// The soak's pass criteria and figures, from the requests sent, the ImageBuilds at the end, every notification
/// drained from the two answer queues and the Job ledger. Written to hold with superseding on or off: a request may end
/// Superseded only if a newer request of its application exists and is answered, and then it must not be answered.
/// </summary>
public sealed class ChaosVerdict
{
    private readonly List<ChaosRequest> _requests;
    private readonly List<ImageBuild> _builds;
    private readonly List<ChaosNotification> _notifications;
    private readonly JobLedger _ledger;
    private readonly string _cmQueue;
    private readonly string _kusanaliQueue;
    private readonly Dictionary<string, ImageBuild> _byName;
    private readonly Dictionary<string, ChaosRequest> _requestOf;

    public ChaosVerdict(List<ChaosRequest> requests, List<ImageBuild> builds, List<ChaosNotification> notifications, JobLedger ledger, string cmQueue, string kusanaliQueue)
    {
        _requests = requests;
        _builds = builds;
        _notifications = notifications;
        _ledger = ledger;
        _cmQueue = cmQueue;
        _kusanaliQueue = kusanaliQueue;
        _byName = builds.ToDictionary(Key, StringComparer.Ordinal);
        _requestOf = [];
        // A request's ImageBuild is its application's, in the order sent (the repeats of one application are sent one
        // after the other, each once the one before exists).
        var sent = requests.Where(r => r.Kind != ChaosKind.Rejected).GroupBy(r => r.App, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Sequence).ToList(), StringComparer.Ordinal);
        foreach (var group in builds.GroupBy(b => b.Spec.ApplicationId ?? "", StringComparer.Ordinal))
        {
            var mine = sent.GetValueOrDefault(group.Key) ?? [];
            var ordered = group.OrderBy(b => b.Metadata.CreationTimestamp).ThenBy(b => b.Metadata.Name, StringComparer.Ordinal).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                if (i < mine.Count)
                {
                    _requestOf[Key(ordered[i])] = mine[i];
                }
                else
                {
                    Problems.Add($"{Key(ordered[i])} matches no request (application {group.Key}: {ordered.Count} ImageBuilds for {mine.Count} requests)");
                }
            }
        }
        foreach (var (app, mine) in sent)
        {
            var count = builds.Count(b => b.Spec.ApplicationId == app);
            if (count < mine.Count)
            {
                Problems.Add($"{mine.Count - count} of the {mine.Count} requests of {app} have no ImageBuild");
            }
        }
        Judge();
    }

    /// <summary>Every broken criterion, one line each.</summary>
    public List<string> Problems { get; } = [];

    public int Superseded { get; private set; }

    /// <summary>Requests with at least one answer: ImageBuilds notified, plus refused requests answered by application.</summary>
    public int DistinctAnswered { get; private set; }

    public static string Key(ImageBuild b) => $"{b.Metadata.NamespaceProperty}/{b.Metadata.Name}";

    public static bool IsAnswered(ImageBuild b) =>
        b.Status?.Phase == Phases.Superseded
        || (b.Status?.Phase is Phases.Succeeded or Phases.Failed && b.Status.Notification?.ConfirmedTime is not null);

    private void Judge()
    {
        // Right queue: a success on the container manager's, a failure on Kusanali's.
        foreach (var n in _notifications)
        {
            var expected = n.Response.Status == BuildResponse.StatusSuccess ? _cmQueue : _kusanaliQueue;
            if (n.Queue != expected)
            {
                Problems.Add($"{Describe(n)}: status {n.Response.Status} on {n.Queue}");
            }
        }
        var answers = _notifications.Where(n => n.Response.ImageBuild.Length > 0).GroupBy(n => n.Response.ImageBuild, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var key in answers.Keys.Where(k => !_byName.ContainsKey(k)))
        {
            Problems.Add($"an answer names {key}, which is not an ImageBuild of the run");
        }
        foreach (var (key, list) in answers)
        {
            if (list.Select(n => n.MessageId).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                Problems.Add($"{key} answered {list.Count} times with different message ids");
            }
        }

        foreach (var build in _builds)
        {
            var key = Key(build);
            var phase = build.Status?.Phase ?? "(none)";
            answers.TryGetValue(key, out var answered);
            if (!_requestOf.TryGetValue(key, out var request))
            {
                continue;
            }
            if (phase == Phases.Superseded)
            {
                Superseded++;
                JudgeSuperseded(build, request, answered);
                continue;
            }
            if (phase is not (Phases.Succeeded or Phases.Failed))
            {
                Problems.Add($"{key} ({request.Kind}) is stuck in {phase}");
                continue;
            }
            if (answered is null)
            {
                Problems.Add($"{key} ({request.Kind}) ended {phase} but no answer reached a queue");
                continue;
            }
            if (build.Status!.Notification?.MessageId is { } id && answered.Any(n => n.MessageId != id))
            {
                Problems.Add($"{key}: an answer's message id is not the one its status recorded ({id})");
            }
            var expected = request.Kind switch
            {
                ChaosKind.Broken => (Phases.Failed, Faults.User, "BuildFailed"),
                ChaosKind.MissingRef => (Phases.Failed, Faults.User, "RefNotFound"),
                _ => (Phases.Succeeded, "", ""),
            };
            var fault = build.Status.LastFailure?.Fault ?? "";
            var reason = build.Status.LastFailure?.Reason ?? "";
            if (phase != expected.Item1 || (expected.Item1 == Phases.Failed && (fault != expected.Item2 || reason != expected.Item3)))
            {
                Problems.Add($"{key} ({request.Kind}, {request.App}) ended {phase} {fault} {reason}, expected {expected.Item1} {expected.Item2} {expected.Item3}: {build.Status.LastFailure?.Message}".TrimEnd());
            }
            if (answered[0].Response.Status != (phase == Phases.Succeeded ? BuildResponse.StatusSuccess : BuildResponse.StatusFailed))
            {
                Problems.Add($"{key} ended {phase} but was answered {answered[0].Response.Status}");
            }
            DistinctAnswered++;
        }

        // Refused requests have no ImageBuild: their answer is recognised by the application id.
        foreach (var request in _requests.Where(r => r.Kind == ChaosKind.Rejected))
        {
            var list = _notifications.Where(n => n.Response.ImageBuild.Length == 0 && n.Response.ApplicationId == request.App).ToList();
            if (list.Count == 0)
            {
                Problems.Add($"the refused request {request.App} was never answered");
                continue;
            }
            if (list.Select(n => n.MessageId).Distinct(StringComparer.Ordinal).Count() > 1)
            {
                Problems.Add($"the refused request {request.App} was answered {list.Count} times with different message ids");
            }
            if (list.Any(n => n.Queue != _kusanaliQueue || n.Response.Fault != Faults.User))
            {
                Problems.Add($"the refused request {request.App} was answered on {list[0].Queue} with fault '{list[0].Response.Fault}'");
            }
            DistinctAnswered++;
        }
        var stray = _notifications.Count(n => n.Response.ImageBuild.Length == 0 && !_requests.Any(r => r.Kind == ChaosKind.Rejected && r.App == n.Response.ApplicationId));
        if (stray > 0)
        {
            Problems.Add($"{stray} answers name no ImageBuild and no refused request");
        }

        foreach (var (commit, jobs) in SuccessfulJobsByCommit().Where(g => g.Value > 1))
        {
            Problems.Add($"{commit} was built successfully by {jobs} Jobs");
        }
    }

    private void JudgeSuperseded(ImageBuild build, ChaosRequest request, List<ChaosNotification>? answered)
    {
        var key = Key(build);
        if (answered is not null || build.Status?.Notification is not null)
        {
            Problems.Add($"{key} is Superseded but was answered");
        }
        // Follow supersededBy to the request that took its place: a newer one of the same application, answered.
        var seen = new HashSet<string>(StringComparer.Ordinal) { key };
        var current = build;
        while (current.Status?.Phase == Phases.Superseded)
        {
            var by = current.Status.SupersededBy ?? "";
            if (!_byName.TryGetValue(by, out var next) || !seen.Add(by))
            {
                Problems.Add($"{key} is Superseded by '{by}', which is not another ImageBuild of the run");
                return;
            }
            if (next.Spec.ApplicationId != request.App || next.Metadata.CreationTimestamp < current.Metadata.CreationTimestamp)
            {
                Problems.Add($"{key} is Superseded by {by}, which is not a newer request of {request.App}");
                return;
            }
            current = next;
        }
        if (!IsAnswered(current))
        {
            Problems.Add($"{key} is Superseded by a chain ending in {Key(current)}, which is not answered");
        }
    }

    /// <summary>Successful Jobs per application and commit (the image): more than one is a rebuild.</summary>
    private Dictionary<string, int> SuccessfulJobsByCommit()
    {
        var imageOf = _builds.ToDictionary(b => b.Metadata.Name, b => $"{b.Spec.ApplicationId}@{b.Status?.Commit}", StringComparer.Ordinal);
        return _ledger.Jobs.Values.Where(j => j.Succeeded)
            .GroupBy(j => imageOf.GetValueOrDefault(j.Owner, j.Owner), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>Seconds from publishing to the confirmed answer, of every answered ImageBuild, sorted.</summary>
    public List<double> TimeToTerminal(IReadOnlyDictionary<string, DateTimeOffset> published) => _builds
        .Where(b => b.Status?.Notification?.ConfirmedTime is not null && _requestOf.ContainsKey(Key(b)) && published.ContainsKey(_requestOf[Key(b)].Key))
        .Select(b => (new DateTimeOffset(DateTime.SpecifyKind(b.Status!.Notification!.ConfirmedTime!.Value, DateTimeKind.Utc)) - published[_requestOf[Key(b)].Key]).TotalSeconds)
        .Order().ToList();

    public SortedDictionary<string, object?> Report()
    {
        var jobsPerBuild = _ledger.Jobs.Values.GroupBy(j => j.Owner, StringComparer.Ordinal).ToList();
        var finalRetries = _builds.ToDictionary(b => b.Metadata.Name, b => b.Status?.Retries ?? 0, StringComparer.Ordinal);
        // A failed attempt was retried when the build went on to a later attempt.
        var retried = _ledger.Failures.Where(f => finalRetries.GetValueOrDefault(f.Key.Build) >= f.Key.Attempt).ToList();
        var perCommit = SuccessfulJobsByCommit();
        return new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["requests"] = _requests.Count,
            ["requests_by_kind"] = new SortedDictionary<string, int>(_requests.GroupBy(r => r.Kind.ToString()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal),
            ["imagebuilds"] = _builds.Count,
            ["succeeded"] = _builds.Count(b => b.Status?.Phase == Phases.Succeeded),
            ["failed"] = _builds.Count(b => b.Status?.Phase == Phases.Failed),
            ["failed_by_reason"] = new SortedDictionary<string, int>(_builds.Where(b => b.Status?.Phase == Phases.Failed)
                .GroupBy(b => $"{b.Status!.LastFailure?.Fault}/{b.Status.LastFailure?.Reason}", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal),
            ["superseded"] = Superseded,
            ["non_terminal"] = _builds.Count(b => b.Status?.Phase is not (Phases.Succeeded or Phases.Failed or Phases.Superseded or Phases.Cancelled)),
            ["distinct_notified"] = DistinctAnswered,
            ["raw_notifications"] = _notifications.Count,
            ["raw_notifications_cm"] = _notifications.Count(n => n.Queue == _cmQueue),
            ["raw_notifications_kusanali"] = _notifications.Count(n => n.Queue == _kusanaliQueue),
            ["duplicates"] = _notifications.Count - _notifications.GroupBy(n => n.Response.ImageBuild.Length > 0 ? n.Response.ImageBuild : "app:" + n.Response.ApplicationId, StringComparer.Ordinal).Count(),
            ["duplicates_with_other_message_id"] = _notifications.GroupBy(n => n.Response.ImageBuild.Length > 0 ? n.Response.ImageBuild : "app:" + n.Response.ApplicationId, StringComparer.Ordinal)
                .Sum(g => g.Select(n => n.MessageId).Distinct(StringComparer.Ordinal).Count() - 1),
            ["jobs_total"] = _ledger.Jobs.Count,
            ["jobs_per_build_max"] = jobsPerBuild.Count == 0 ? 0 : jobsPerBuild.Max(g => g.Count()),
            ["builds_with_more_than_one_job"] = jobsPerBuild.Count(g => g.Count() > 1),
            ["successful_jobs_per_commit_max"] = perCommit.Count == 0 ? 0 : perCommit.Values.Max(),
            ["retried_builds"] = _builds.Count(b => (b.Status?.Retries ?? 0) > 0),
            ["retries_total"] = _builds.Sum(b => b.Status?.Retries ?? 0),
            ["retries_by_reason"] = new SortedDictionary<string, int>(retried.GroupBy(f => f.Value.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), StringComparer.Ordinal),
            ["problems"] = Problems.Take(50).ToArray(),
            ["problems_total"] = Problems.Count,
        };
    }

    private static string Describe(ChaosNotification n) => n.Response.ImageBuild.Length > 0 ? n.Response.ImageBuild : "application " + n.Response.ApplicationId;
}
