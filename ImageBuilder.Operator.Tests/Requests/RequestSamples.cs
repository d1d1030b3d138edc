using System.Text;
using System.Text.Json.Nodes;

namespace ImageBuilder.Operator.Tests.Requests;

/// <summary>Build request bodies for tests: the documented flat form, the nested form, and variations.</summary>
internal static class RequestSamples
{
    public const string Token = "fake-test-token-not-a-secret-0123456789";

    public static JsonObject FlatObject() => new()
    {
        ["applicationID"] = "65a1c0ffee",
        ["token"] = Token,
        ["userID"] = "18008",
        ["type"] = "repo",
        ["connector"] = "github",
        ["repo"] = "vano2903/testing",
        ["branch"] = "main",
    };

    public static string Flat(Action<JsonObject>? change = null) => Body(FlatObject(), change);

    public static JsonObject NestedObject() => new()
    {
        ["applicationID"] = "65a1c0ffee",
        ["pullInfo"] = new JsonObject
        {
            ["userID"] = "18008",
            ["token"] = Token,
            ["repo"] = "vano2903/testing",
            ["connector"] = "github",
            ["branch"] = "main",
            ["commit"] = "latest",
        },
        ["buildPlan"] = new JsonObject
        {
            ["rootDirectory"] = "app",
            ["builder"] = "nixpacks",
            ["startCommand"] = "npm start",
            ["envs"] = new JsonArray(new JsonObject { ["key"] = "NODE_ENV", ["value"] = "production" }),
            ["nixPkgs"] = new JsonArray("nodejs_20"),
            ["aptPkgs"] = new JsonArray("libvips-dev"),
            ["installCommand"] = "npm ci",
            ["buildCommand"] = "npm run build",
        },
    };

    public static string Nested(Action<JsonObject>? change = null) => Body(NestedObject(), change);

    /// <summary>A sample with a test's <paramref name="change"/> applied, as the JSON a sender writes.</summary>
    private static string Body(JsonObject sample, Action<JsonObject>? change)
    {
        change?.Invoke(sample);
        return sample.ToJsonString();
    }

    public static byte[] Bytes(string body) => Encoding.UTF8.GetBytes(body);
}
