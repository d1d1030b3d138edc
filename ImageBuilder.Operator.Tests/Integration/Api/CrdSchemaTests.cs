using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ImageBuilder.Operator.Api;
using ImageBuilder.Operator.Tests.Requests;
using k8s;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Integration.Api;

/// <summary>The CRD in deploy/crds is the source of truth; the C# types must say exactly the same.</summary>
[Collection(PlatformCollection.Name)]
public sealed class CrdSchemaTests(PlatformFixture fixture)
{
    private V1CustomResourceDefinition Crd => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(
        File.ReadAllText(Path.Combine(fixture.RepoRoot, "deploy", "crds", "imagebuilds.imagebuilder.ipaas.dev.yaml")));

    [Fact]
    public void Schema_AndCSharpTypes_NameTheSameFields()
    {
        var schema = Crd.Spec.Versions.Single().Schema.OpenAPIV3Schema;

        var inYaml = SchemaPaths(schema.Properties["spec"], "spec").Concat(SchemaPaths(schema.Properties["status"], "status")).Order().ToList();
        var inCSharp = TypePaths(typeof(ImageBuildSpec), "spec").Concat(TypePaths(typeof(ImageBuildStatus), "status")).Order().ToList();

        Assert.Equal(inYaml, inCSharp);
    }

    [Fact]
    public async Task FullyPopulatedImageBuild_RoundTripsThroughApiserver_WithoutPruning()
    {
        var ns = await fixture.CreateNamespaceAsync("crd");
        var build = FullyPopulated();

        var created = await fixture.Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
        created.Status = build.Status;
        await fixture.Kubernetes.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<ImageBuild>(created, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, "full");
        var read = await fixture.Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, "full");

        // The apiserver prunes what the schema lacks, so equality proves every C# field is in the schema with a compatible type.
        Assert.Equal(Json(build.Spec), Json(read.Spec));
        Assert.Equal(Json(build.Status), Json(read.Status));
    }

    [Fact]
    public async Task InvalidSpec_IsRejectedByTheSchema_WithAMessageNamingTheField()
    {
        var ns = await fixture.CreateNamespaceAsync("crd-bad");
        var build = FullyPopulated();
        build.Spec.Source.Repo = "owner/../../etc";
        build.Spec.Source.Connector = "svn";
        build.Spec.MaxRetries = 99;

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            fixture.Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<ImageBuild>(build, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural));

        Assert.Contains("spec.source.repo", error.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.source.connector: Unsupported value: \\\"svn\\\"", error.Response.Content, StringComparison.Ordinal);
        Assert.Contains("spec.maxRetries", error.Response.Content, StringComparison.Ordinal);
    }

    /// <summary>
    /// The request rules' table (Requests/RuleCases) against the schema: every spec the rules accept
    /// must be accepted by the apiserver, or the bridge would accept a request Kubernetes then
    /// refuses; the schema may refuse less than the rules (1.20 has no cross-field rules), never more.
    /// </summary>
    [Fact]
    public async Task EveryRuleCase_TheRulesAccept_IsAcceptedByTheSchema()
    {
        var ns = await fixture.CreateNamespaceAsync("crd-rules");
        var refusedByRules = 0;
        var mismatches = new List<string>();
        var i = 0;
        foreach (var rule in RuleCases.Cases)
        {
            var name = $"rule-{i++}";
            var body = new JsonObject
            {
                ["apiVersion"] = ImageBuild.ApiGroupVersion,
                ["kind"] = ImageBuild.KindName,
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = RuleCases.SpecJson(rule),
            };
            string? refusal = null;
            try
            {
                await fixture.Kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync(body, ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural);
            }
            catch (k8s.Autorest.HttpOperationException e) when ((int)e.Response.StatusCode == 422)
            {
                refusal = e.Response.Content;
            }
            if (rule.IsValid && refusal is not null)
            {
                mismatches.Add($"{rule.Label}: the rules accept it, the schema refuses it: {refusal}");
            }
            refusedByRules += rule.IsValid ? 0 : 1;
            if (rule.IsValid && refusal is null)
            {
                // What the apiserver stored must still pass the rules (nothing pruned into something else).
                var stored = await fixture.Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<ImageBuild>(ImageBuild.Group, ImageBuild.Version, ns, ImageBuild.Plural, name);
                var errors = ImageBuilder.Operator.Requests.RequestRules.Validate(stored.Spec);
                if (errors.Count > 0)
                {
                    mismatches.Add($"{rule.Label}: stored spec fails the rules: {string.Join(" ", errors)}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(refusedByRules >= 40, "the table must hold refused cases too");
    }

    private static string Json(object? value) => JsonNode.Parse(KubernetesJson.Serialize(value))!.ToJsonString();

    private static ImageBuild FullyPopulated()
    {
        var time = new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc);
        return new ImageBuild
        {
            Metadata = new V1ObjectMeta { Name = "full" },
            Spec = new ImageBuildSpec
            {
                ApplicationId = "65a1c0ffee",
                UserId = "18008",
                Source = new SourceSpec
                {
                    Connector = Connectors.GitHub,
                    Repo = "vano2903/testing",
                    Type = RefTypes.Commit,
                    Branch = "main",
                    Tag = "v1",
                    Release = "v1",
                    Commit = "3f2c9ab",
                    TokenSecretRef = new SecretKeyRef { Name = "tok", Key = "token" },
                },
                BuildPlan = new BuildPlanSpec
                {
                    RootDirectory = "app",
                    Builder = "docker",
                    StartCommand = "./run",
                    DockerfilePath = "Dockerfile",
                    NixpacksPath = "nixpacks.toml",
                    Envs = [new BuildEnv { Key = "A", Value = "b" }],
                    NixPkgs = ["go"],
                    NixLibs = ["zlib"],
                    AptPkgs = ["curl"],
                    InstallCommand = "make deps",
                    BuildCommand = "make",
                },
                MaxRetries = 2,
                TimeoutSeconds = 600,
                Image = "127.0.0.1:5000/x/y",
            },
            Status = new ImageBuildStatus
            {
                ObservedGeneration = 1,
                Phase = Phases.Retrying,
                Retries = 1,
                Ref = "commit 3f2c9ab",
                Commit = new string('a', 40),
                Image = "127.0.0.1:5000/x/y:aaa",
                Digest = "sha256:" + new string('b', 64),
                Job = "full-1",
                StartTime = time,
                CompletionTime = time,
                CleanedUp = true,
                NextAttemptTime = time,
                ScheduledAttempt = 2,
                Conditions = [new V1Condition { Type = "Ready", Status = "False", Reason = "Retrying", Message = "m", LastTransitionTime = time, ObservedGeneration = 1 }],
                LastFailure = new BuildFailure { Fault = Faults.Service, Reason = "PushFailed", Message = "m", LogTail = "tail", Attempt = 1 },
                Notification = new NotificationStatus { Queue = "q", MessageId = "id", ConfirmedTime = time },
            },
        };
    }

    private static IEnumerable<string> SchemaPaths(V1JSONSchemaProps node, string path)
    {
        // Items arrives untyped from the YAML; a JSON round trip gives it its schema type.
        var target = node.Items is null ? node : KubernetesJson.Deserialize<V1JSONSchemaProps>(KubernetesJson.Serialize(node.Items));
        if (target.Properties is null || target.Properties.Count == 0)
        {
            return [path];
        }
        return target.Properties.SelectMany(p => SchemaPaths(p.Value, $"{path}.{p.Key}"));
    }

    private static IEnumerable<string> TypePaths(Type type, string path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type != typeof(string) && type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } enumerable)
        {
            type = enumerable.GetGenericArguments()[0];
        }
        if (type.IsPrimitive || type == typeof(string) || type == typeof(DateTime))
        {
            return [path];
        }
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p, name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(x => x.name is not null && x.p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .SelectMany(x => TypePaths(x.p.PropertyType, $"{path}.{x.name}"));
    }
}
