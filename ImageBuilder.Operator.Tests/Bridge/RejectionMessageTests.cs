using ImageBuilder.Operator.Bridge;
using k8s.Models;

namespace ImageBuilder.Operator.Tests.Bridge;

public sealed class RejectionMessageTests
{
    private const string LongName = "ib-65a1c0ffee-3f2c9ab0c1d2e3f405162738495a6b7c8d9e0f1a-0123456789";

    [Fact]
    public void RejectionMessage_ApiserverCauses_NameEachFieldFirstAndKeepTheReason()
    {
        // The shape of a 1.20 apiserver's 422 for an ImageBuild: the message starts with kind and name.
        var status = new V1Status
        {
            Message = $"ImageBuild.imagebuilder.ipaas.dev \"{LongName}\" is invalid: [spec.buildPlan.builder: Unsupported value: \"\": supported values: \"nixpacks\", \"docker\", spec.buildPlan.envs: Invalid value: \"null\"]",
            Details = new V1StatusDetails
            {
                Name = LongName,
                Causes =
                [
                    new V1StatusCause { Field = "spec.buildPlan.builder", Reason = "FieldValueNotSupported", Message = "Unsupported value: \"\": supported values: \"nixpacks\", \"docker\"" },
                    new V1StatusCause { Field = "spec.buildPlan.envs", Reason = "FieldValueInvalid", Message = "Invalid value: \"null\": spec.buildPlan.envs in body must be of type array: \"null\"" },
                ],
            },
        };

        var message = ImageBuildWriter.RejectionMessage(status, status.Message);

        Assert.Equal(
            "Kubernetes refused the build: spec.buildPlan.builder: Unsupported value: \"\": supported values: \"nixpacks\", \"docker\"; "
            + "spec.buildPlan.envs: Invalid value: \"null\": spec.buildPlan.envs in body must be of type array: \"null\".",
            message);
    }

    [Fact]
    public void RejectionMessage_ManyLongCauses_StaysBoundedAndNamesTheFirstFields()
    {
        var causes = Enumerable.Range(0, 20).Select(i => new V1StatusCause { Field = $"spec.buildPlan.aptPkgs[{i}]", Message = "Invalid value: " + new string('x', 1000) }).ToList();

        var message = ImageBuildWriter.RejectionMessage(new V1Status { Details = new V1StatusDetails { Causes = causes } }, "");

        Assert.Contains("spec.buildPlan.aptPkgs[0]: Invalid value: xxx", message, StringComparison.Ordinal);
        Assert.Contains("spec.buildPlan.aptPkgs[7]: ", message, StringComparison.Ordinal);
        Assert.EndsWith("; and 12 more.", message, StringComparison.Ordinal);
        Assert.True(message.Length < 2500, message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RejectionMessage_WithoutCauses_KeepsFarMoreThanTheOldEightyCharacters()
    {
        var text = $"ImageBuild.imagebuilder.ipaas.dev \"{LongName}\" is invalid: spec.buildPlan.rootDirectory: Invalid value";

        var message = ImageBuildWriter.RejectionMessage(null, text);

        Assert.EndsWith("spec.buildPlan.rootDirectory: Invalid value", message, StringComparison.Ordinal);
    }
}
