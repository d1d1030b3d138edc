using ImageBuilder.Operator.Reconciliation.Steps;
using ImageBuilder.Operator.Requests;

namespace ImageBuilder.Operator.Tests.Requests;

/// <summary>
/// One table, both entry points: whatever the bridge accepts from the queue the reconciler accepts
/// as a spec, and whatever one refuses the other refuses, so no request passes the bridge only to
/// fail later as InvalidSpec. The CRD schema's side is Integration/Api/CrdSchemaTests.
/// </summary>
public sealed class RequestRulesTableTests
{
    private readonly BuildRequestParser _parser = new(1 << 20);

    [Theory]
    [MemberData(nameof(RuleCases.Labels), MemberType = typeof(RuleCases))]
    public void Case_HasTheSameVerdict_InTheBridgeAndTheReconciler(string label)
    {
        var rule = RuleCases.Get(label);

        var nested = _parser.Parse(RequestSamples.Bytes(RuleCases.Nested(rule)));
        var flat = _parser.Parse(RequestSamples.Bytes(RuleCases.Flat(rule)));
        var spec = ValidateStep.Validate(RuleCases.Spec(rule));

        Assert.True(rule.IsValid == nested.IsValid, $"nested request: expected {(rule.IsValid ? "valid" : "invalid")}; {nested.Message}");
        Assert.True(rule.IsValid == flat.IsValid, $"flat request: expected {(rule.IsValid ? "valid" : "invalid")}; {flat.Message}");
        Assert.True(rule.IsValid == (spec.Count == 0), $"spec: expected {(rule.IsValid ? "valid" : "invalid")}; {string.Join(" ", spec)}");
        if (rule.IsValid)
        {
            // What the bridge writes must pass the reconciler too, not only the case's own spec.
            var written = ImageBuildFactory.NewImageBuild(nested.Request!, "rules", "ns", null).Spec;
            Assert.Empty(ValidateStep.Validate(written));
        }
        else
        {
            Assert.All(nested.Errors.Concat(flat.Errors).Concat(spec), e => Assert.Matches("Field '|Connector '|Type '", e));
        }
    }

    [Fact]
    public void Table_CoversTheDriftTheIssueFound()
    {
        foreach (var label in new[] { "aptPkgs like an option", "dockerfilePath dot-slash", "rootDirectory drive letter", "nixpacksPath yaml", "type release on git" })
        {
            Assert.False(RuleCases.Get(label).IsValid, label);
        }
        Assert.True(RuleCases.Cases.Count(c => c.IsValid) >= 30);
        Assert.True(RuleCases.Cases.Count(c => !c.IsValid) >= 40);
    }
}
