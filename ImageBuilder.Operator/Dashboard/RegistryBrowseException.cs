namespace ImageBuilder.Operator.Dashboard;

/// <summary>The registry could not be read; the message is shown on the page, so it never carries a credential.</summary>
public sealed class RegistryBrowseException : Exception
{
    public RegistryBrowseException()
    {
    }

    public RegistryBrowseException(string message)
        : base(message)
    {
    }

    public RegistryBrowseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
