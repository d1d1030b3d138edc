namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>
/// Which waiting builds get the free build slots: round-robin across users, oldest request first within a user.
/// Pure and stateless: the round of a user's k-th waiting build (k from 0) is the number of builds that user runs
/// now plus k, so a user with nothing running is served before the second build of a user with one running,
/// whatever the arrival order. Computed from the objects alone, so every replica and every restart agrees, and
/// there is no turn to remember. Within a round the older request goes first; the key breaks ties.
/// </summary>
public static class FairShare
{
    /// <summary>The waiting builds in the order they would get slots (position 1 first).</summary>
    /// <param name="running">One entry per slot in use: the user holding it.</param>
    /// <param name="waiting">Every build waiting for a slot (not those running).</param>
    public static IReadOnlyList<SlotRequest> Order(IEnumerable<string> running, IEnumerable<SlotRequest> waiting)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(waiting);
        var runningByUser = CountByUser(running);
        return [.. waiting
            .GroupBy(r => r.User, StringComparer.Ordinal)
            .SelectMany(user => user
                .OrderBy(r => r.RequestedAt).ThenBy(r => r.Key, StringComparer.Ordinal)
                .Select((r, k) => (Request: r, Round: runningByUser.GetValueOrDefault(user.Key) + k)))
            .OrderBy(x => x.Round).ThenBy(x => x.Request.RequestedAt).ThenBy(x => x.Request.Key, StringComparer.Ordinal)
            .Select(x => x.Request)];
    }

    /// <summary>
    /// Whether <paramref name="key"/> (one of <paramref name="waiting"/>) may start now: the slots are handed out
    /// in <see cref="Order"/>, skipping a build whose user is at <paramref name="maxPerUser"/>, until
    /// <paramref name="max"/> slots are in use. Each admitted build starts itself when it is reconciled.
    /// </summary>
    public static AdmissionDecision Decide(IReadOnlyCollection<string> running, IReadOnlyCollection<SlotRequest> waiting, string key, int max, int maxPerUser)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(waiting);
        var order = Order(running, waiting);
        var used = CountByUser(running);
        var total = running.Count;
        var behindArriving = false;
        for (var i = 0; i < order.Count; i++)
        {
            var request = order[i];
            var userUsed = used.GetValueOrDefault(request.User);
            var hold = total >= max ? SlotHold.Global : userUsed >= maxPerUser ? SlotHold.PerUser : SlotHold.None;
            if (request.Key == key)
            {
                var admitted = hold == SlotHold.None;
                return new AdmissionDecision(admitted, i + 1, hold, running.Count, CountByUser(running).GetValueOrDefault(request.User), !admitted && behindArriving);
            }
            if (hold == SlotHold.None)
            {
                total++;
                used[request.User] = userUsed + 1;
                behindArriving |= request.Arriving;
            }
        }
        throw new ArgumentException($"{key} is not among the waiting builds.", nameof(key));
    }

    private static Dictionary<string, int> CountByUser(IEnumerable<string> running)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var user in running)
        {
            counts[user] = counts.GetValueOrDefault(user) + 1;
        }
        return counts;
    }
}
