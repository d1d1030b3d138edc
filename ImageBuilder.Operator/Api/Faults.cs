namespace ImageBuilder.Operator.Api;

/// <summary>Who is at fault for a failure (docs/contracts.md <c>fault</c>).</summary>
public static class Faults
{
    /// <summary>The request or the code: bad request, repo or ref not found, token refused, compile error. Not retried by default.</summary>
    public const string User = "user";

    /// <summary>Infrastructure: registry or GitHub 5xx or timeout, eviction, deadline. Retried.</summary>
    public const string Service = "service";
}
