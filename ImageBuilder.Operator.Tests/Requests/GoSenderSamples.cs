namespace ImageBuilder.Operator.Tests.Requests;

/// <summary>
/// Build requests byte for byte as the platform's Go backend writes them: encoding/json on structs
/// without <c>omitempty</c>, so every field is present in declaration order, unset strings are
/// <c>""</c>, a nil slice is <c>null</c> and an empty one <c>[]</c>, and nothing is indented.
/// </summary>
public static class GoSenderSamples
{
    /// <summary>How the Go sender's unset slices look: a nil slice or an allocated empty one.</summary>
    public enum EmptyList
    {
        Null,
        Brackets,
    }

    /// <summary>The flat BuildRequest struct with only the required fields set.</summary>
    public static string Flat(string repo, string token, string userId = "18008") =>
        $$$"""{"applicationID":"","token":"{{{token}}}","userID":"{{{userId}}}","type":"","connector":"github","repo":"{{{repo}}}","branch":"","tag":"","release":"","commit":""}""";

    /// <summary>The nested form (PullInfoRequest + BuildConfig) with every optional field unset.</summary>
    public static string Nested(string repo, string token, EmptyList lists, string commit = "", string applicationId = "65a1c0ffee", string userId = "18008")
    {
        var empty = lists == EmptyList.Null ? "null" : "[]";
        return $$$"""{"applicationID":"{{{applicationId}}}","pullInfo":{"userID":"{{{userId}}}","token":"{{{token}}}","repo":"{{{repo}}}","connector":"github","branch":"","commit":"{{{commit}}}"},"buildPlan":{"rootDirectory":"","builder":"","startCommand":"","dockerfilePath":"","nixpacksPath":"","envs":{{{empty}}},"nixPkgs":{{{empty}}},"nixLibs":{{{empty}}},"aptPkgs":{{{empty}}},"installCommand":"","buildCommand":""}}""";
    }

    /// <summary>Every Go-shaped variant: label and body.</summary>
    public static TheoryData<string, string> All(string repo, string token) => new()
    {
        { "flat", Flat(repo, token) },
        { "nested, nil slices", Nested(repo, token, EmptyList.Null) },
        { "nested, empty slices", Nested(repo, token, EmptyList.Brackets) },
        { "nested, commit latest", Nested(repo, token, EmptyList.Null, commit: "latest") },
    };
}
