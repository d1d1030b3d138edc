namespace ImageBuilder.Operator.Requests;

/// <summary>
/// Either a valid <see cref="BuildRequest"/> or the user-facing reasons it was refused, plus what
/// could be read of the sender's identity so the refusal can be addressed.
/// </summary>
public sealed class BuildRequestParseResult
{
    private BuildRequestParseResult(BuildRequest? request, IReadOnlyList<string> errors, RequestIdentity identity)
    {
        Request = request;
        Errors = errors;
        Identity = identity;
    }

    public BuildRequest? Request { get; }

    public IReadOnlyList<string> Errors { get; }

    /// <summary>applicationID/userID/repo as far as they could be read; empty strings otherwise.</summary>
    public RequestIdentity Identity { get; }

    public bool IsValid => Request is not null;

    /// <summary>How many problems <see cref="Message"/> spells out; the rest are counted.</summary>
    public const int MaxListedProblems = 5;

    /// <summary>
    /// One sentence for the BuildResponse's <c>message</c>, of bounded length: the first
    /// <see cref="MaxListedProblems"/> problems and how many more (fuzzing found bodies with
    /// thousands of problems, whose message ran to hundreds of kilobytes).
    /// </summary>
    public string Message => Errors.Count switch
    {
        0 => "",
        1 => Errors[0],
        _ => $"The build request has {Errors.Count} problems: "
            + string.Join("; ", Errors.Take(MaxListedProblems).Select(e => e.TrimEnd('.')))
            + (Errors.Count > MaxListedProblems ? $"; and {Errors.Count - MaxListedProblems} more." : "."),
    };

    public static BuildRequestParseResult Valid(BuildRequest request) =>
        new(request, [], new RequestIdentity(request.ApplicationId ?? "", request.UserId, request.Repo));

    public static BuildRequestParseResult Invalid(IReadOnlyList<string> errors, RequestIdentity identity) =>
        new(null, errors, identity);
}
