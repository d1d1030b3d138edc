using System.Text.Json.Serialization;

namespace ImageBuilder.Operator.Api;

/// <summary>One build-time environment variable of a build plan.</summary>
public sealed class BuildEnv
{
    private string? _value;

    [JsonPropertyName("key")]
    public string Key { get; set; } = "";

    /// <summary>
    /// The value; empty and absent mean the same, so empty is held as null and not written. Readers may get
    /// either back: the development cluster's 1.20 apiserver stores <c>""</c> as null (hence the CRD's
    /// <c>nullable</c>).
    /// </summary>
    [JsonPropertyName("value")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Value
    {
        get => _value;
        set => _value = string.IsNullOrEmpty(value) ? null : value;
    }
}
