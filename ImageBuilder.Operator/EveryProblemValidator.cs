using Microsoft.Extensions.Options;

namespace ImageBuilder.Operator;

/// <summary>
/// The one rule of every options validator: collect every problem, each with its configuration path, and report
/// them together, so that a start-up that fails shows all that is wrong and not only the first thing.
/// </summary>
public abstract class EveryProblemValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Check(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Adds one message to <paramref name="errors"/> for each problem of <paramref name="options"/>.</summary>
    protected abstract void Check(TOptions options, List<string> errors);
}
