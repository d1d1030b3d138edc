using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>One build-time environment variable of a build plan.</summary>
public sealed class BuildEnv
{
    private string? _value;

    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    /// <summary>
    /// The value; empty is written as no <c>value</c> at all, which means the same. Some apiservers (the
    /// development cluster's 1.20 build among them) read <c>""</c> in a custom object as null and then refuse it
    /// as "must be of type string".
    /// </summary>
    [JsonPropertyName("value")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Value
    {
        get => _value;
        set => _value = string.IsNullOrEmpty(value) ? null : value;
    }
}
