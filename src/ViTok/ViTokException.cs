namespace ViTok;

/// <summary>An error caused by the user's input (a file, a variant string, an option), with a message that names
/// the input and the fix. The CLI prints the message without a stack trace.</summary>
public class ViTokException : Exception
{
    /// <summary>Creates the error with its user-facing message.</summary>
    public ViTokException(string message) : base(message) { }

    /// <summary>Creates the error with its user-facing message and the underlying cause.</summary>
    public ViTokException(string message, Exception inner) : base(message, inner) { }
}
