namespace ImageBuilder.Testing.Operators;

/// <summary>The operator's <c>/readyz</c>: 503 until its caches are loaded, then "ready (leader)" or "ready (follower)".</summary>
public static class Readyz
{
    public const string Leader = "ready (leader)";

    /// <summary>
    /// Polls <c>/readyz</c> under <paramref name="url"/> until its answer satisfies <paramref name="accept"/>; returns it.
    /// <paramref name="gone"/> names why waiting is pointless (the process exited), or returns null.
    /// </summary>
    public static async Task<string> WaitAsync(Uri url, Func<Answer, bool> accept, TimeSpan within, string what, Func<string?>? gone = null)
    {
        ArgumentNullException.ThrowIfNull(accept);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var answer = await Eventually.ValueAsync(async () =>
        {
            if (gone?.Invoke() is { } reason)
            {
                throw new InvalidOperationException(reason);
            }
            try
            {
                using var response = await http.GetAsync(new Uri("readyz", UriKind.Relative));
                return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening or not answering yet.
                return new Answer(0, e.Message);
            }
        }, accept, within, what, a => $"{a.Status} {a.Text}");
        return answer.Text;
    }

    /// <summary>Until it leads.</summary>
    public static Task<string> WaitForLeaderAsync(Uri url, TimeSpan within, Func<string?>? gone = null) =>
        WaitAsync(url, a => a.Text == Leader, within, $"the operator on {url} to lead", gone);

    /// <summary>One answer of <c>/readyz</c> (status 0: no answer).</summary>
    public sealed record Answer(int Status, string Text)
    {
        public bool IsSuccess => Status is >= 200 and < 300;
    }
}
