namespace ViTok.Tests.Support;

/// <summary>Snapshot check against tests/ViTok.Tests/Approvals/NAME.approved.txt: on mismatch (or when the approved
/// file is missing) the actual text is written to NAME.received.txt beside it and the test fails; to approve, review
/// the received file and rename it.</summary>
public static class Approvals
{
    public static void Verify(string name, string actual)
    {
        string dir = Path.Combine(RepoPaths.Root, "tests", "ViTok.Tests", "Approvals");
        string approved = Path.Combine(dir, name + ".approved.txt");
        string received = Path.Combine(dir, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n");
        string? expected = File.Exists(approved) ? File.ReadAllText(approved).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(received, actual);
        if (expected == null)
            Assert.Fail($"no approved snapshot {approved}; review {received} and rename it to approve.");
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int i = 0;
        while (i < Math.Min(e.Length, a.Length) && e[i] == a[i]) i++;
        Assert.Fail($"snapshot {name} differs at line {i + 1}:\n  approved: {(i < e.Length ? e[i] : "<end>")}\n  received: "
                    + $"{(i < a.Length ? a[i] : "<end>")}\nFull text written to {received}.");
    }
}
