namespace ViTok.Tests.Distributed;

/// <summary>A fact that is skipped, with the reason and the install command, when MPICH's <c>mpiexec</c> is not on the
/// PATH (.ci/run installs it).</summary>
public sealed class RequiresMpiFactAttribute : FactAttribute
{
    public RequiresMpiFactAttribute()
    {
        if (MpiExec.Path is null) Skip = "mpiexec is not installed (MPICH): `apt-get install -y mpich` (.ci/run does this in CI).";
    }
}
