using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Options;
using ImageBuilder.Operator.Requests;
using k8s;

namespace ImageBuilder.Fuzz;

/// <summary>
/// The contract of the build-queue parser, checked on one body. <see cref="Check"/> throws
/// <see cref="ContractViolationException"/> (the fuzzer's crash) when any of these breaks:
/// <list type="bullet">
/// <item>Parse returns a result for every body and throws nothing.</item>
/// <item>A refusal has at least one problem and a message that is one printable line, a sentence
/// (a capital first, a full stop last) of bounded length; its identity fields are plain ASCII.</item>
/// <item>An acceptance becomes an ImageBuild (through the bridge's own naming and factory) that the
/// CRD schema of deploy/crds accepts, and whose spec the reconciler's rules
/// (<see cref="RequestRules.Validate"/>) accept too after the apiserver's JSON round trip.</item>
/// <item>The token never shows: the body is parsed again with the token replaced by a marker, and
/// the marker must appear in no message, identity, ImageBuild or ToString; the acceptance and the
/// spec must not depend on which (valid) token was sent.</item>
/// </list>
/// </summary>
public static partial class ParserContract
{
    /// <summary>The sentence a user reads must stay short: the refusal goes back in one BuildResponse.</summary>
    public const int MaxMessageLength = 2048;

    /// <summary>A valid token no sender would write, so its appearance anywhere is a leak.</summary>
    public const string TokenMarker = "fuzzTokenMarker7f3a9c0e";

    private const string Namespace = "fuzz";

    /// <summary>The limit the operator runs with by default.</summary>
    public static readonly int MaxMessageBytes = new RabbitMqOptions().MaxMessageBytes;

    private static readonly BuildRequestParser Parser = new(MaxMessageBytes);
    private static readonly Lazy<CrdSchema> Schema = new(CrdSchema.Load);
    private static readonly JsonNodeOptions CaseInsensitive = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Checks the contract on <paramref name="body"/>; returns how the parser answered.</summary>
    public static BuildRequestParseResult Check(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var result = Parse(body);
        if (result.IsValid)
        {
            CheckAccepted(result);
        }
        else
        {
            CheckRefused(result);
        }
        CheckTokenStaysSecret(body, result);
        return result;
    }

    private static BuildRequestParseResult Parse(byte[] body)
    {
        try
        {
            return Parser.Parse(body) ?? throw new ContractViolationException("Parse returned null.");
        }
        catch (ContractViolationException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ContractViolationException($"Parse threw {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static void CheckRefused(BuildRequestParseResult result)
    {
        if (result.Errors.Count == 0)
        {
            throw new ContractViolationException("A refusal without any problem.");
        }
        foreach (var error in result.Errors)
        {
            CheckSentence(error, "A problem");
        }
        CheckSentence(result.Message, "The refusal's message");
        CheckIdentity(result.Identity);
    }

    private static void CheckSentence(string text, string what)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new ContractViolationException($"{what} is empty.");
        }
        if (text.Length > MaxMessageLength)
        {
            throw new ContractViolationException($"{what} is {text.Length} characters long (limit {MaxMessageLength}): {text[..200]}…");
        }
        // Text.Quote escapes sender text to printable ASCII and marks a cut with '…'.
        if (!text.All(c => c is >= ' ' and <= '~' or '…'))
        {
            throw new ContractViolationException($"{what} holds a character that is not printable ASCII: {JsonSerializer.Serialize(text)}");
        }
        if (!char.IsAsciiLetterUpper(text[0]) || !text.EndsWith('.'))
        {
            throw new ContractViolationException($"{what} is not a sentence (a capital first, a full stop last): {text}");
        }
    }

    private static void CheckIdentity(RequestIdentity identity)
    {
        foreach (var (name, value) in new[] { ("applicationID", identity.ApplicationId), ("userID", identity.UserId), ("repo", identity.Repo) })
        {
            if (value is null || value.Length > 200 || !value.All(c => c is > ' ' and <= '~'))
            {
                throw new ContractViolationException($"Identity field {name} is not plain ASCII of at most 200 characters: {JsonSerializer.Serialize(value)}");
            }
        }
    }

    private static void CheckAccepted(BuildRequestParseResult result)
    {
        var request = result.Request!;
        if (result.Errors.Count != 0 || result.Message.Length != 0)
        {
            throw new ContractViolationException($"An acceptance with problems: {result.Message}");
        }
        CheckIdentity(result.Identity);
        var name = BuildNaming.NameFor(request, null);
        if (!DnsLabel().IsMatch(name) || BuildNaming.TokenSecretName(name).Length > 63)
        {
            throw new ContractViolationException($"The ImageBuild name '{name}' is not a DNS label, or its Secret's name is too long.");
        }
        var build = ImageBuildFactory.NewImageBuild(request, name, Namespace, null);
        var json = KubernetesJson.Serialize(build);
        var violations = Schema.Value.Violations(JsonNode.Parse(json));
        if (violations.Count > 0)
        {
            throw new ContractViolationException("The CRD schema refuses the accepted request's ImageBuild: " + string.Join("; ", violations));
        }
        // What the reconciler reads back from the apiserver must pass the same rules.
        var stored = KubernetesJson.Deserialize<ImageBuild>(json);
        var rules = RequestRules.Validate(stored.Spec);
        if (rules.Count > 0)
        {
            throw new ContractViolationException("The reconciler's rules refuse what the bridge accepted: " + string.Join(" ", rules));
        }
    }

    /// <summary>The same body with every token the parser would read replaced by <see cref="TokenMarker"/>.</summary>
    private static void CheckTokenStaysSecret(byte[] body, BuildRequestParseResult original)
    {
        if (WithMarkerToken(body) is not { } variant)
        {
            return;
        }
        var result = Parse(variant);
        var seen = new List<string>(result.Errors) { result.Message, result.Identity.ApplicationId, result.Identity.UserId, result.Identity.Repo };
        if (result.Request is { } request)
        {
            seen.Add(request.ToString());
            seen.Add(KubernetesJson.Serialize(ImageBuildFactory.NewImageBuild(request, BuildNaming.NameFor(request, null), Namespace, null)));
        }
        if (seen.FirstOrDefault(s => s.Contains(TokenMarker, StringComparison.Ordinal)) is { } leak)
        {
            throw new ContractViolationException($"The token shows in what the parser produced: {leak}");
        }
        if (original.Request is { } before && variant.Length <= MaxMessageBytes)
        {
            if (result.Request is not { } after)
            {
                throw new ContractViolationException($"Another valid token turns an accepted request into a refusal: {result.Message}");
            }
            var specBefore = KubernetesJson.Serialize(ImageBuildFactory.NewImageBuild(before, "ib-fuzz", Namespace, null).Spec);
            var specAfter = KubernetesJson.Serialize(ImageBuildFactory.NewImageBuild(after, "ib-fuzz", Namespace, null).Spec);
            if (specBefore != specAfter)
            {
                throw new ContractViolationException($"The spec depends on the token: {specBefore} vs {specAfter}");
            }
        }
    }

    private static byte[]? WithMarkerToken(byte[] body)
    {
        JsonObject root;
        try
        {
            var text = Encoding.UTF8.GetString(body.AsSpan().StartsWith("\uFEFF"u8) ? body.AsSpan(3) : body);
            if (JsonNode.Parse(text, CaseInsensitive) is not JsonObject obj)
            {
                return null;
            }
            root = obj;
            // Where the parser reads the token: pullInfo when it is an object, else the top.
            var source = root.FirstOrDefault(p => p.Key.Equals("pullInfo", StringComparison.OrdinalIgnoreCase)).Value is JsonObject pullInfo ? pullInfo : root;
            var tokens = source.Where(p => p.Key.Equals("token", StringComparison.OrdinalIgnoreCase) && p.Value?.GetValueKind() == JsonValueKind.String)
                .Select(p => p.Key).ToList();
            if (tokens.Count == 0)
            {
                return null;
            }
            foreach (var key in tokens)
            {
                source[key] = TokenMarker;
            }
            return Encoding.UTF8.GetBytes(root.ToJsonString());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            // Bodies System.Text.Json.Nodes cannot hold (duplicate names, lone surrogates) are not
            // token leaks; the parser's own result was checked above.
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\z")]
    private static partial Regex DnsLabel();
}
