package nl.bptl.camunda;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Local Camunda 7 engine for BPTL (REST API at /engine-rest, Cockpit at /camunda). */
@SpringBootApplication
public class CamundaApplication {
  public static void main(String[] args) {
    SpringApplication.run(CamundaApplication.class, args);
  }
}
