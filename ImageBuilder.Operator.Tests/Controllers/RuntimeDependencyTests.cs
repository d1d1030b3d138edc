using System.Reflection;
using System.Text.RegularExpressions;
using ImageBuilder.Operator.Controllers.Hosting;
using ImageBuilder.Operator.Tests.Deploy;

namespace ImageBuilder.Operator.Tests.Controllers;

/// <summary>
/// The controller runtime (Controllers/) is generic, like controller-runtime: it knows no ImageBuild, no domain label
/// and no other folder of the operator. Arrows point one way: the domain wires itself onto the runtime
/// (Reconciliation/ImageBuildController), never the reverse. Checked on the sources, which also see what the compiled
/// types cannot (a domain constant is inlined, a comment names the domain), and on the compiled signatures.
/// </summary>
public sealed partial class RuntimeDependencyTests
{
    private const string Runtime = "ImageBuilder.Operator.Controllers";
    private const string OperatorPrefix = "ImageBuilder.Operator.";
    private static readonly Assembly Operator = typeof(ControllerHost<>).Assembly;
    private static readonly string RuntimeDir = Path.Combine(Helm.RepoRoot, "ImageBuilder.Operator", "Controllers");

    /// <summary>The operator's other top-level namespaces (Api, Bridge, Builds, RabbitMq, Reconciliation, ...): the domain.</summary>
    private static readonly string[] Domain = [.. TopLevelNamespaces().Where(name => name != "Controllers")];

    [Fact]
    public void Domain_IncludesTheFoldersTheRuntimeMustNotSee()
    {
        // Guards the checks below: if the namespaces were not found, they would pass on nothing.
        Assert.Subset(Domain.ToHashSet(), new HashSet<string> { "Api", "Bridge", "Builds", "RabbitMq", "Reconciliation", "Requests" });
    }

    [Fact]
    public void RuntimeSources_NameNoDomainNamespaceNorImageBuild()
    {
        var files = Directory.GetFiles(RuntimeDir, "*.cs", SearchOption.AllDirectories);
        var references = DomainReference();
        var violations = files
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(l => references.IsMatch(l.line) || DomainWords().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(RuntimeDir, l.file)}:{l.number}: {l.line.Trim()}")
            .ToList();

        Assert.True(files.Length >= 30, $"found {files.Length} sources under {RuntimeDir}");
        Assert.Empty(violations);
    }

    [Fact]
    public void RuntimeTypes_SignaturesUseNoDomainType()
    {
        var runtimeTypes = Operator.GetTypes().Where(t => t.Namespace is { } ns && (ns == Runtime || ns.StartsWith(Runtime + ".", StringComparison.Ordinal))).ToList();
        var violations = runtimeTypes
            .SelectMany(t => ReferencedTypes(t).SelectMany(Unwrap).Where(IsDomain).Select(used => $"{t.FullName} uses {used.FullName}"))
            .Distinct()
            .ToList();

        Assert.True(runtimeTypes.Count >= 30, $"found {runtimeTypes.Count} runtime types");
        Assert.Empty(violations);
    }

    private static IEnumerable<string> TopLevelNamespaces() =>
        Operator.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(ns => ns.StartsWith(OperatorPrefix, StringComparison.Ordinal))
            .Select(ns => ns[OperatorPrefix.Length..].Split('.')[0])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// A using of, or a name qualified by, a domain namespace. Inside <c>ImageBuilder.Operator.Controllers</c> a bare
    /// <c>Api.X</c> binds to <c>ImageBuilder.Operator.Api</c>, so the short form counts too, except for names the
    /// runtime has a namespace of its own for (<c>Hosting.X</c> is Controllers.Hosting).
    /// </summary>
    private static Regex DomainReference()
    {
        var runtimeOwn = Operator.GetTypes().Select(t => t.Namespace).OfType<string>()
            .Where(ns => ns.StartsWith(Runtime + ".", StringComparison.Ordinal))
            .Select(ns => ns[(Runtime.Length + 1)..].Split('.')[0])
            .ToHashSet(StringComparer.Ordinal);
        var all = string.Join("|", Domain);
        var bare = string.Join("|", Domain.Where(name => !runtimeOwn.Contains(name)));
        return new Regex($@"ImageBuilder\.Operator\.(?:{all})\b|(?<![\w.])(?:{bare})\.\w", RegexOptions.CultureInvariant);
    }

    /// <summary>The domain's resource and API group, in code or in comments: the runtime serves any resource.</summary>
    [GeneratedRegex(@"ImageBuild(?!er)|imagebuilder\.ipaas", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DomainWords();

    private static bool IsDomain(Type type) =>
        type.Namespace is { } ns && ns.StartsWith(OperatorPrefix, StringComparison.Ordinal)
        && ns != Runtime && !ns.StartsWith(Runtime + ".", StringComparison.Ordinal);

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }
        foreach (var used in type.GetInterfaces())
        {
            yield return used;
        }
        foreach (var parameter in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
        {
            foreach (var constraint in parameter.GetGenericParameterConstraints())
            {
                yield return constraint;
            }
        }
        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }
        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }
            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }
            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                yield return local.LocalType;
            }
        }
    }

    /// <summary>The type and every type it is built from (generic arguments, element types).</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.IsGenericParameter)
        {
            yield break;
        }
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
            {
                yield return inner;
            }
            yield break;
        }
        yield return type;
        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
        {
            foreach (var inner in Unwrap(argument))
            {
                yield return inner;
            }
        }
    }
}
