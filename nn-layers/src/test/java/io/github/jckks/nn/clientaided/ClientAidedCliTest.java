package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's demo: server and client over loopback, checked against the plaintext reference. */
class ClientAidedCliTest {
    @Test
    void demoRunsOverLoopback() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ClientAidedCli());
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("demo", "--params", "test", "--inputs", "4", "--hidden", "6", "--outputs", "2",
                "--batch", "8", "--threads", "1", "--timeout-seconds", "20");
        assertEquals(0, code);
        StringWriter help = new StringWriter();
        cl.setOut(new PrintWriter(help));
        assertEquals(0, cl.execute("serve", "--help"));
        assertTrue(help.toString().contains("--model-seed"), help.toString());
        assertEquals(io.github.jckks.nn.Packing.COEFFICIENT, ClientAidedCli.packing("Coefficient", new ClientAidedCli()));
        assertEquals(io.github.jckks.nn.Packing.COMPLEX, ClientAidedCli.packing("complex", new ClientAidedCli()));
        CommandLine.ParameterException bad = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class, () -> ClientAidedCli.packing("slots", new ClientAidedCli()));
        assertTrue(bad.getMessage().contains("real, complex or coefficient"), bad.getMessage());
    }
}
