namespace ImageBuilder.Operator.Requests;

/// <summary>Who sent a request and about what, copied into the reply even when the request is refused.</summary>
public sealed record RequestIdentity(string ApplicationId, string UserId, string Repo)
{
    public static RequestIdentity Unknown { get; } = new("", "", "");
}
