using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace ImageBuilder.Fuzz;

/// <summary>
/// The structural-schema rules of the ImageBuild CRD, read from deploy/crds (the chart's source of
/// truth), applied to an object as the apiserver would: type, required, nullable, enum, pattern,
/// min/maxLength, min/maxItems, minimum/maximum, and fields the schema does not name (which the
/// apiserver would silently prune). Only the subset the spec's schema uses: meeting any other rule
/// on a checked value throws, so a new kind of rule cannot be skipped unnoticed.
/// </summary>
public sealed class CrdSchema
{
    public const string FileName = "imagebuilds.imagebuilder.ipaas.dev.yaml";

    private static readonly HashSet<string> KnownKeywords =
    [
        "type", "description", "properties", "required", "nullable", "enum", "pattern", "maxLength", "minLength",
        "items", "maxItems", "minItems", "minimum", "maximum", "format",
    ];

    private readonly JsonObject _root;
    private readonly Dictionary<string, Regex> _patterns = new(StringComparer.Ordinal);

    private CrdSchema(JsonObject root)
    {
        _root = root;
        Prepare(root, "");
    }

    /// <summary>The CRD file copied beside the harness at build time.</summary>
    public static CrdSchema Load() => Load(Path.Combine(AppContext.BaseDirectory, FileName));

    public static CrdSchema Load(string crdPath)
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(crdPath));
        var version = crd.Spec.Versions.Single();
        // Through JSON: the client's typed schema keeps 'items' as an untyped object.
        var schema = JsonNode.Parse(KubernetesJson.Serialize(version.Schema.OpenAPIV3Schema))!.AsObject();
        return new CrdSchema(schema);
    }

    /// <summary>Every rule <paramref name="value"/> (an ImageBuild as JSON) breaks, with its path; empty when valid.</summary>
    public IReadOnlyList<string> Violations(JsonNode? value)
    {
        var violations = new List<string>();
        Check(value, _root, "", violations);
        return violations;
    }

    private void Prepare(JsonObject schema, string path)
    {
        if (schema["pattern"] is { } patternNode)
        {
            var pattern = patternNode.GetValue<string>();
            _patterns.TryAdd(pattern, GoPattern.ToRegex(pattern));
        }
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                Prepare(child!.AsObject(), path + "." + name);
            }
        }
        if (schema["items"] is JsonObject items)
        {
            Prepare(items, path + "[]");
        }
    }

    private void Check(JsonNode? value, JsonObject schema, string path, List<string> violations)
    {
        var at = path.Length == 0 ? "<root>" : path.TrimStart('.');
        if (schema.Select(p => p.Key).FirstOrDefault(k => !KnownKeywords.Contains(k)) is { } unknown)
        {
            throw new NotSupportedException($"The CRD has '{unknown}' at '{at}', which this checker does not implement.");
        }
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                violations.Add($"{at}: null, and the schema does not say nullable");
            }
            return;
        }
        var type = schema["type"]?.GetValue<string>();
        var kind = value.GetValueKind();
        switch (type)
        {
            case "object" when kind == JsonValueKind.Object:
                CheckObject(value.AsObject(), schema, path, violations);
                break;
            case "array" when kind == JsonValueKind.Array:
                CheckArray(value.AsArray(), schema, path, violations);
                break;
            case "string" when kind == JsonValueKind.String:
                CheckString(value.GetValue<string>(), schema, at, violations);
                break;
            case "integer" when kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var integer):
                CheckNumber(integer, schema, at, violations);
                break;
            case "number" when kind == JsonValueKind.Number:
                CheckNumber(value.GetValue<double>(), schema, at, violations);
                break;
            case "boolean" when kind is JsonValueKind.True or JsonValueKind.False:
            case null:
                break;
            default:
                violations.Add($"{at}: {kind}, the schema says {type}");
                break;
        }
    }

    private void CheckObject(JsonObject value, JsonObject schema, string path, List<string> violations)
    {
        var at = path.Length == 0 ? "<root>" : path.TrimStart('.');
        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (value[required] is null)
            {
                violations.Add($"{at}: required field '{required}' is missing");
            }
        }
        if (schema["properties"] is not JsonObject properties)
        {
            return; // {type: object} without properties (metadata): anything goes.
        }
        foreach (var (name, child) in value)
        {
            if (properties[name] is JsonObject childSchema)
            {
                Check(child, childSchema, path + "." + name, violations);
            }
            else
            {
                violations.Add($"{at}: field '{name}' is not in the schema (the apiserver would prune it)");
            }
        }
    }

    private void CheckArray(JsonArray value, JsonObject schema, string path, List<string> violations)
    {
        var at = path.TrimStart('.');
        if (schema["maxItems"] is { } max && value.Count > max.GetValue<long>())
        {
            violations.Add($"{at}: {value.Count} items, maxItems is {max}");
        }
        if (schema["minItems"] is { } min && value.Count < min.GetValue<long>())
        {
            violations.Add($"{at}: {value.Count} items, minItems is {min}");
        }
        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < value.Count; i++)
            {
                Check(value[i], items, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), violations);
            }
        }
    }

    private void CheckString(string value, JsonObject schema, string at, List<string> violations)
    {
        // The apiserver counts characters as Go does: runes, not UTF-16 units.
        var length = value.EnumerateRunes().Count();
        if (schema["maxLength"] is { } max && length > max.GetValue<long>())
        {
            violations.Add($"{at}: {length} characters, maxLength is {max}");
        }
        if (schema["minLength"] is { } min && length < min.GetValue<long>())
        {
            violations.Add($"{at}: {length} characters, minLength is {min}");
        }
        if (schema["pattern"] is { } pattern && !_patterns[pattern.GetValue<string>()].IsMatch(value))
        {
            violations.Add($"{at}: {JsonSerializer.Serialize(value)} does not match pattern {pattern}");
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => a?.GetValue<string>() == value))
        {
            violations.Add($"{at}: {JsonSerializer.Serialize(value)} is not one of {allowed.ToJsonString()}");
        }
    }

    private static void CheckNumber(double value, JsonObject schema, string at, List<string> violations)
    {
        if (schema["maximum"] is { } max && value > max.GetValue<double>())
        {
            violations.Add($"{at}: {value}, maximum is {max}");
        }
        if (schema["minimum"] is { } min && value < min.GetValue<double>())
        {
            violations.Add($"{at}: {value}, minimum is {min}");
        }
    }
}
