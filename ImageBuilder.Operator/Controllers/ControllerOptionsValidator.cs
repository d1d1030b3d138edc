using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace ImageBuilder.Operator.Controllers;

/// <summary>Checks <see cref="ControllerOptions"/> and reports every problem at once, each with its configuration path.</summary>
public sealed partial class ControllerOptionsValidator : EveryProblemValidator<ControllerOptions>
{
    /// <summary>client-go's JitterFactor: the renew deadline must leave room for a jittered retry.</summary>
    private const double JitterFactor = 1.2;
    private const string Root = ControllerOptions.SectionName;
    private const string Election = Root + ":LeaderElection";

    protected override void Check(ControllerOptions options, List<string> errors)
    {
        Annotations(options, Root, errors);
        Runtime(options, errors);
        if (options.LeaderElection is null)
        {
            errors.Add($"{Election} is required");
        }
        else if (options.LeaderElection.Enabled)
        {
            Annotations(options.LeaderElection, Election, errors);
            LeaderElection(options.LeaderElection, errors);
        }
    }

    private static void Runtime(ControllerOptions o, List<string> errors)
    {
        if (!string.IsNullOrEmpty(o.Namespace) && !DnsLabel().IsMatch(o.Namespace))
        {
            errors.Add($"{Root}:Namespace '{o.Namespace}' is not a valid namespace name (leave it empty for all namespaces)");
        }
        Positive(o.ResyncPeriod, $"{Root}:ResyncPeriod", errors, allowZero: true);
        Positive(o.WatchTimeout, $"{Root}:WatchTimeout", errors);
        if (o.WatchTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{Root}:WatchTimeout must be at most 1 hour, was {o.WatchTimeout}");
        }
        Positive(o.BackoffBase, $"{Root}:BackoffBase", errors);
        if (o.BackoffMax < o.BackoffBase)
        {
            errors.Add($"{Root}:BackoffMax ({o.BackoffMax}) must be at least BackoffBase ({o.BackoffBase})");
        }
        Positive(o.ShutdownTimeout, $"{Root}:ShutdownTimeout", errors, allowZero: true);
    }

    private static void LeaderElection(LeaderElectionOptions o, List<string> errors)
    {
        if (!string.IsNullOrEmpty(o.LeaseName) && !DnsSubdomain().IsMatch(o.LeaseName))
        {
            errors.Add($"{Election}:LeaseName '{o.LeaseName}' is not a valid object name");
        }
        if (!string.IsNullOrEmpty(o.LeaseNamespace) && !DnsLabel().IsMatch(o.LeaseNamespace))
        {
            errors.Add($"{Election}:LeaseNamespace '{o.LeaseNamespace}' is not a valid namespace name");
        }
        Positive(o.RetryPeriod, $"{Election}:RetryPeriod", errors);
        if (o.LeaseDuration < TimeSpan.FromSeconds(1) || o.LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{Election}:LeaseDuration must be a whole number of seconds, at least 1 (the Lease stores seconds), was {o.LeaseDuration}");
        }
        if (o.LeaseDuration <= o.RenewDeadline)
        {
            errors.Add($"{Election}:LeaseDuration ({o.LeaseDuration}) must be greater than RenewDeadline ({o.RenewDeadline})");
        }
        if (o.RenewDeadline <= o.RetryPeriod * JitterFactor)
        {
            errors.Add($"{Election}:RenewDeadline ({o.RenewDeadline}) must be greater than {JitterFactor} x RetryPeriod ({o.RetryPeriod})");
        }
    }

    private static void Annotations(object instance, string path, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            return;
        }
        foreach (var result in results)
        {
            var members = string.Join(",", result.MemberNames);
            errors.Add($"{path}:{members}: {result.ErrorMessage}");
        }
    }

    private static void Positive(TimeSpan value, string path, List<string> errors, bool allowZero = false)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            errors.Add($"{path} must be {(allowZero ? "zero or positive" : "positive")}, was {value}");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
