using System.Text.Json;

namespace ImageBuilder.Operator.Requests;

/// <summary>
/// The properties of one JSON object, looked up case-insensitively (as the Go senders' encoding/json
/// does). A property given twice is refused: two values for one field are a smuggling trick.
/// Every problem is added to the shared error list.
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _errors;
    private readonly string _prefix;

    public JsonFields(JsonElement obj, List<string> errors, string prefix = "")
    {
        _errors = errors;
        _prefix = prefix;
        var repeated = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in obj.EnumerateObject())
        {
            // A name no .NET string can hold names no field the parser reads: ignored like any
            // unknown field. Reading it throws (found by fuzzing: the bridge requeued such a message forever).
            if (ReadName(property) is not { } name)
            {
                continue;
            }
            // Said once per name, however often it repeats.
            if (!_properties.TryAdd(name, property.Value) && repeated.Add(name))
            {
                errors.Add($"Field '{Text.Quote(prefix + name)}' appears more than once.");
            }
        }
    }

    public JsonElement? Element(string name) =>
        _properties.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>The string value; null when absent or JSON null. A wrong type or a missing required field is an error.</summary>
    public string? String(string name, bool required = false)
    {
        if (!_properties.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                _errors.Add($"Field '{_prefix}{name}' is required.");
            }
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            _errors.Add($"Field '{_prefix}{name}' must be a string, not {Describe(value.ValueKind)}.");
            return null;
        }
        var text = ReadString(value);
        if (text is null)
        {
            _errors.Add($"Field '{_prefix}{name}' is not valid Unicode text.");
        }
        else if (required && text.Length == 0)
        {
            _errors.Add($"Field '{_prefix}{name}' must not be empty.");
            return null;
        }
        return text;
    }

    /// <summary>A string value without reporting anything, for addressing a refusal.</summary>
    public string? Peek(string name) =>
        _properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? ReadString(value) : null;

    private static string? ReadName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\udc00") in the name.
            return null;
        }
    }

    private static string? ReadString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") cannot become a .NET string.
            return null;
        }
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        _ => "null",
    };
}
