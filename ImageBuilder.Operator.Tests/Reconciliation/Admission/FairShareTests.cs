using ImageBuilder.Operator.Reconciliation.Admission;

namespace ImageBuilder.Operator.Tests.Reconciliation.Admission;

public sealed class FairShareTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Waiting builds are written "user:seconds-after-T0:name"; running slots as user names. Expected: the names in the
    /// order that gets slots.
    /// </summary>
    [Theory]
    [InlineData("", "a:0:a1 a:1:a2 a:2:a3", "a1 a2 a3")]
    // A lone build of another user, even when it came last, goes before the burst's second build.
    [InlineData("", "a:0:a1 a:1:a2 a:2:a3 a:3:a4 b:9:b1", "a1 b1 a2 a3 a4")]
    // The burst's user already runs two: the other user's single build is first.
    [InlineData("a a", "a:0:a3 a:1:a4 b:9:b1", "b1 a3 a4")]
    // Round-robin across three users, oldest first within a round.
    [InlineData("", "a:0:a1 a:1:a2 b:2:b1 b:3:b2 c:4:c1", "a1 b1 c1 a2 b2")]
    // Same second: the key decides, so every replica agrees.
    [InlineData("", "a:0:x2 a:0:x1", "x1 x2")]
    // Running builds of a user push its waiting ones back by as many rounds.
    [InlineData("b", "a:5:a1 a:6:a2 b:0:b1", "a1 b1 a2")]
    public void Order_TableOfCases_IsRoundRobinAcrossUsersOldestFirst(string running, string waiting, string expected)
    {
        var order = FairShare.Order(Users(running), Requests(waiting));

        Assert.Equal(expected, string.Join(" ", order.Select(r => r.Key)));
    }

    /// <summary>Which waiting builds are admitted (the rest queued, with "key=position/hold").</summary>
    [Theory]
    // Limit 2, nothing running: the first two in the fair order start.
    [InlineData("", "a:0:a1 a:1:a2 a:2:a3", 2, 3, "a1 a2", "a3=3/Global")]
    // Global limit full: nobody starts, positions follow the fair order.
    [InlineData("x x", "a:0:a1 b:1:b1", 2, 3, "", "a1=1/Global b1=2/Global")]
    // Per-user limit: the user's third waits although slots are free, and the next user's build goes past it.
    [InlineData("a a", "a:0:a3 b:1:b1", 10, 2, "b1", "a3=2/PerUser")]
    // One slot, one user's burst plus another's single build: the single build takes it.
    [InlineData("a", "a:0:a2 a:1:a3 b:9:b1", 2, 3, "b1", "a2=2/Global a3=3/Global")]
    public void Decide_TableOfCases_AdmitsInFairOrderWithinBothLimits(string running, string waiting, int max, int perUser, string admitted, string queued)
    {
        var slots = Users(running);
        var requests = Requests(waiting);

        var decisions = requests.ToDictionary(r => r.Key, r => FairShare.Decide(slots, requests, r.Key, max, perUser));

        Assert.Equal(admitted, string.Join(" ", requests.Where(r => decisions[r.Key].Admitted).Select(r => r.Key)));
        Assert.Equal(queued, string.Join(" ", requests.Where(r => !decisions[r.Key].Admitted)
            .Select(r => $"{r.Key}={decisions[r.Key].Position}/{decisions[r.Key].HeldBy}")));
    }

    [Fact]
    public void Decide_AdmittedOneByOne_NeverExceedsTheLimits()
    {
        // Replays what the reconciler does: each admitted build becomes a running one before the next decision.
        var running = new List<string>();
        var waiting = Requests("a:0:a1 a:1:a2 a:2:a3 a:3:a4 b:4:b1 c:5:c1").ToList();
        var started = new List<string>();
        while (true)
        {
            var next = FairShare.Order(running, waiting).FirstOrDefault(r => FairShare.Decide(running, waiting, r.Key, 4, 2).Admitted);
            if (next is null)
            {
                break;
            }
            running.Add(next.User);
            waiting.Remove(next);
            started.Add(next.Key);
        }

        Assert.Equal(["a1", "b1", "c1", "a2"], started);
        Assert.Equal(["a3", "a4"], waiting.Select(r => r.Key));
    }

    [Fact]
    public void Decide_SlotGoesToAnArrivingRequestAhead_SaysSo()
    {
        SlotRequest[] waiting = [new("old", "a", T0, Arriving: true), new("new", "a", T0.AddSeconds(1))];

        var decision = FairShare.Decide([], waiting, "new", 1, 5);

        Assert.Equal((false, 2, true), (decision.Admitted, decision.Position, decision.BehindArriving));
        Assert.True(FairShare.Decide([], waiting, "old", 1, 5).Admitted);
    }

    [Fact]
    public void Decide_KeyNotWaiting_Throws()
    {
        Assert.Throws<ArgumentException>(() => FairShare.Decide([], Requests("a:0:a1"), "zz", 1, 1));
    }

    private static List<string> Users(string running) => [.. running.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    private static List<SlotRequest> Requests(string waiting) => [.. waiting.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(w => w.Split(':'))
        .Select(p => new SlotRequest(p[2], p[0], T0.AddSeconds(int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))))];
}
