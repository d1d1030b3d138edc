using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using ImageBuilder.Operator.Api;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// Turns a build-queue body into a <see cref="BuildRequest"/> or a user-facing refusal. Accepts the
/// documented flat form and the newer nested form (<c>pullInfo</c> + <c>buildPlan</c>); ignores
/// unknown fields. Never echoes the token.
/// </summary>
public sealed class BuildRequestParser(int maxMessageBytes)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };
    // As deep as the document may be: an unknown field nested deeper than a smaller limit would be
    // refused as "the wrong type" instead of ignored like every unknown field.
    private static readonly JsonSerializerOptions PlanJson = new() { PropertyNameCaseInsensitive = true, MaxDepth = DocumentOptions.MaxDepth };

    public BuildRequestParseResult Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty || body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Refuse("The message is empty; send a BuildRequest as a JSON object.");
        }
        if (body.Length > maxMessageBytes)
        {
            return Refuse(string.Create(CultureInfo.InvariantCulture, $"The message is {body.Length} bytes; the limit is {maxMessageBytes} bytes."));
        }
        // Senders on some platforms prefix a byte-order mark, which the JSON reader does not skip.
        if (body.Span.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }
        if (!Utf8.IsValid(body.Span))
        {
            return Refuse("The message is not valid UTF-8 JSON (it holds bytes that are not UTF-8).");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            return Refuse(string.Create(CultureInfo.InvariantCulture, $"The message is not valid UTF-8 JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }
        using (document)
        {
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? ParseObject(document.RootElement)
                : Refuse($"The message must be a JSON object, not {JsonFields.Describe(document.RootElement.ValueKind)}.");
        }
    }

    private static BuildRequestParseResult Refuse(string error) => BuildRequestParseResult.Invalid([error], RequestIdentity.Unknown);

    private static BuildRequestParseResult ParseObject(JsonElement root)
    {
        var errors = new List<string>();
        var top = new JsonFields(root, errors);
        var source = top;
        var prefix = "";
        if (top.Element("pullInfo") is { } pullInfo)
        {
            if (pullInfo.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"Field 'pullInfo' must be an object, not {JsonFields.Describe(pullInfo.ValueKind)}.");
                return BuildRequestParseResult.Invalid(errors, Identify(top, top));
            }
            prefix = "pullInfo.";
            source = new JsonFields(pullInfo, errors, prefix);
        }
        var identity = Identify(top, source);
        var request = Read(top, source, prefix, errors);
        return errors.Count == 0 && request is not null
            ? BuildRequestParseResult.Valid(request)
            : BuildRequestParseResult.Invalid(errors, identity);
    }

    /// <summary>What can be read of the sender's identity, for the refusal's addressing fields.</summary>
    private static RequestIdentity Identify(JsonFields top, JsonFields source)
    {
        static string Safe(string? v) => v is { Length: <= 200 } && Text.IsPlainAscii(v) ? v : "";
        return new RequestIdentity(
            Safe(top.Peek("applicationID") ?? source.Peek("applicationID")),
            Safe(source.Peek("userID") ?? top.Peek("userID")),
            Safe(source.Peek("repo") ?? top.Peek("repo")));
    }

    private static BuildRequest? Read(JsonFields top, JsonFields source, string prefix, List<string> errors)
    {
        // The nested form keeps applicationID at the top; tolerate it inside pullInfo too.
        // Empty means unset for every optional field: Go senders marshal every field of their structs.
        var applicationId = NullIfEmpty(top.String("applicationID")) ?? (prefix.Length > 0 ? NullIfEmpty(source.String("applicationID")) : null);
        var userId = source.String("userID", required: true);
        var token = source.String("token", required: true);
        var repo = source.String("repo", required: true);
        var connector = source.String("connector", required: true)?.ToLowerInvariant();
        var type = (NullIfEmpty(source.String("type")) ?? (prefix.Length > 0 ? NullIfEmpty(top.String("type")) : null))?.ToLowerInvariant();
        var refs = new Refs(NullIfEmpty(source.String("branch")), NullIfEmpty(source.String("tag")), NullIfEmpty(source.String("release")), NullIfEmpty(source.String("commit"))?.ToLowerInvariant());
        var plan = top.Element("buildPlan") is { } planElement ? ReadBuildPlan(planElement, errors) : null;

        AddIf(errors, applicationId is null ? null : RequestRules.Id("applicationID", applicationId));
        AddIf(errors, userId is null ? null : RequestRules.Id(prefix + "userID", userId));
        AddIf(errors, token is null ? null : RequestRules.Token(token));
        AddIf(errors, connector is null ? null : RequestRules.Connector(connector));
        AddIf(errors, repo is null || connector is null ? null : RequestRules.Repo(connector, repo));
        var resolvedType = ResolveType(type, connector, refs, errors);
        if (errors.Count > 0 || userId is null || token is null || repo is null || connector is null || resolvedType is null)
        {
            return null;
        }
        return new BuildRequest
        {
            ApplicationId = applicationId,
            UserId = userId,
            Token = token,
            Connector = connector,
            Repo = repo,
            Type = resolvedType,
            Branch = refs.Branch,
            Tag = resolvedType == RefTypes.Tag ? refs.Tag : null,
            Release = resolvedType == RefTypes.Release ? refs.Release ?? refs.Tag : null,
            Commit = resolvedType == RefTypes.Commit ? refs.Commit : null,
            BuildPlan = plan,
        };
    }

    /// <summary>
    /// The type to build, checking the ref it needs. Without a type, a concrete commit means that
    /// commit and anything else the branch; a commit of "" or "latest" is the branch's newest.
    /// </summary>
    private static string? ResolveType(string? type, string? connector, Refs refs, List<string> errors)
    {
        AddIf(errors, type is null ? null : RequestRules.Type(type));
        AddIf(errors, refs.Branch is null ? null : RequestRules.RefName("branch", refs.Branch));
        AddIf(errors, refs.Tag is null ? null : RequestRules.RefName("tag", refs.Tag));
        AddIf(errors, refs.Release is null ? null : RequestRules.RefName("release", refs.Release));
        AddIf(errors, refs.Commit is null ? null : RequestRules.Commit(refs.Commit));
        var concreteCommit = !RequestRules.IsLatest(refs.Commit);
        var resolved = type switch
        {
            null or RefTypes.Repo => concreteCommit ? RefTypes.Commit : RefTypes.Repo,
            RefTypes.Commit => concreteCommit ? RefTypes.Commit : RefTypes.Repo,
            _ => type,
        };
        // An older sender names a release's tag in 'tag'.
        AddIf(errors, RequestRules.RefForType(resolved, connector ?? "", refs.Tag, refs.Release ?? refs.Tag));
        return resolved;
    }

    /// <summary>The newer senders' <c>buildPlan</c>, its empty values unset, then checked; unknown fields are ignored.</summary>
    private static BuildPlanSpec? ReadBuildPlan(JsonElement element, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"Field 'buildPlan' must be an object, not {JsonFields.Describe(element.ValueKind)}.");
            return null;
        }
        BuildPlanSpec? plan;
        try
        {
            plan = BuildPlanRules.Normalize(element.Deserialize<BuildPlanSpec>(PlanJson));
        }
        catch (JsonException e)
        {
            // The path can hold a sender's field name ($['\n…']): quoted like every echoed text.
            errors.Add($"Field 'buildPlan{Text.Quote(e.Path?.TrimStart('$') ?? "")}' has the wrong type.");
            return null;
        }
        catch (InvalidOperationException)
        {
            errors.Add("Field 'buildPlan' holds text that is not valid Unicode.");
            return null;
        }
        BuildPlanRules.Check(plan, errors);
        return plan;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void AddIf(List<string> errors, string? error)
    {
        if (error is not null)
        {
            errors.Add(error);
        }
    }

    private sealed record Refs(string? Branch, string? Tag, string? Release, string? Commit);
}
