namespace ViTok.Tests.Support;

/// <summary>A fact that is skipped, with the reason, when a folder under ../shared (beside the repository) is absent,
/// e.g. on CI machines that only have the committed fixtures.</summary>
public sealed class RequiresSharedFactAttribute : FactAttribute
{
    public RequiresSharedFactAttribute(string relativeToShared)
    {
        string path = RepoPaths.Shared(relativeToShared);
        if (!Directory.Exists(path)) Skip = $"{path} is not present (it lives beside the repository on development machines).";
    }
}
