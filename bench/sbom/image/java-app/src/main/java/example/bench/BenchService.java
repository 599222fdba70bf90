package example.bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The benchmark image's Java service; it exists for its packaged dependencies, not to run. */
@SpringBootApplication
@RestController
public class BenchService {
  public static void main(String[] args) {
    SpringApplication.run(BenchService.class, args);
  }

  @GetMapping("/healthz")
  public String health() {
    return "ok";
  }
}
